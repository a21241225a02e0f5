package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException;
import io.quiver.core.generation.TextGenerator;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Continuous batching over one decoder: a thread of its own runs steps back to back. Each step
 * first admits waiting sequences while the running batch, the key/value cache budget and the
 * step's prompt-token budget allow, runs their prompts together (prefill), then runs one token of
 * every sequence already running (decode). Sequences join between steps and leave as soon as they
 * finish or are cancelled, so a long answer never holds up a short one.
 */
final class GenerationEngine implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GenerationEngine.class);

  /**
   * @param maxRunning the most sequences decoded together
   * @param maxWaiting the most sequences waiting for room before new ones are refused
   * @param cachePositions the most key/value cache positions running sequences may reserve
   * @param prefillTokens the most prompt tokens one step takes in (one prompt always)
   */
  record Limits(int maxRunning, int maxWaiting, long cachePositions, int prefillTokens) {}

  private final DecoderGraph graph;
  private final Limits limits;
  private final String model;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
  /** Touched by the engine's thread only. */
  private final List<Sequence> running = new ArrayList<>();
  private final AtomicLong reserved = new AtomicLong();
  private volatile int runningCount;
  private final Thread thread;
  private boolean closed;

  GenerationEngine(DecoderGraph graph, Limits limits, String model) {
    this.graph = graph;
    this.limits = limits;
    this.model = model;
    this.thread = Thread.ofPlatform().daemon().name("quiver-generate-" + model).start(this::run);
  }

  /**
   * Queues a sequence.
   *
   * @throws InferenceException.InvalidInput when it could never fit the cache
   * @throws InferenceException.Unavailable when too many wait already, or the model is closing
   */
  void submit(Sequence sequence) {
    if (sequence.reservation() > limits.cachePositions()) {
      throw new InferenceException.InvalidInput(
          "The request needs %d key/value cache positions (prompt %d tokens plus max_tokens); model %s holds at most %d."
              .formatted(sequence.reservation(), sequence.promptLength(), model, limits.cachePositions()),
          "max_tokens");
    }
    lock.lock();
    try {
      if (closed) {
        throw new InferenceException.Unavailable("Model %s is being unloaded.".formatted(model));
      }
      if (waiting.size() >= limits.maxWaiting()) {
        throw new InferenceException.Unavailable(
            "Model %s is busy: %d requests already wait for room in its running batch; retry later."
                .formatted(model, waiting.size()));
      }
      waiting.add(sequence);
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  TextGenerator.Load load() {
    int queued;
    lock.lock();
    try {
      queued = waiting.size();
    } finally {
      lock.unlock();
    }
    return new TextGenerator.Load(runningCount, queued, reserved.get(), limits.cachePositions());
  }

  private void run() {
    try {
      while (true) {
        List<Sequence> admitted = nextAdmissions();
        if (admitted == null) {
          break;
        }
        dropCancelled();
        List<Sequence> decoding = new ArrayList<>(running);
        if (!admitted.isEmpty()) {
          for (Sequence sequence : admitted) {
            sequence.start(graph.newCache(sequence.reservation()));
          }
          running.addAll(admitted);
          step(admitted);
        }
        if (!decoding.isEmpty()) {
          step(decoding);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    InferenceException closing = new InferenceException.Unavailable("Model %s was unloaded.".formatted(model));
    running.forEach(sequence -> sequence.fail(closing));
    running.clear();
    lock.lock();
    try {
      waiting.forEach(sequence -> sequence.fail(closing));
      waiting.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for work, then takes the waiting sequences that fit now; null once closed. */
  private List<Sequence> nextAdmissions() throws InterruptedException {
    lock.lock();
    try {
      while (!closed && waiting.isEmpty() && running.isEmpty()) {
        work.await();
      }
      if (closed) {
        return null;
      }
      List<Sequence> admitted = new ArrayList<>();
      int promptTokens = 0;
      for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
        Sequence next = it.next();
        if (next.cancelled()) {
          it.remove();
          next.dropCancelled();
          continue;
        }
        boolean fits =
            running.size() + admitted.size() < limits.maxRunning()
                && reserved.get() + next.reservation() <= limits.cachePositions()
                && (admitted.isEmpty() || promptTokens + next.promptLength() <= limits.prefillTokens());
        if (!fits) {
          break; // first come, first served: nobody overtakes the head of the queue
        }
        it.remove();
        admitted.add(next);
        promptTokens += next.promptLength();
        reserved.addAndGet(next.reservation());
      }
      return admitted;
    } finally {
      lock.unlock();
    }
  }

  private void dropCancelled() {
    for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
      Sequence sequence = it.next();
      if (sequence.cancelled()) {
        it.remove();
        reserved.addAndGet(-sequence.reservation());
        sequence.dropCancelled();
      }
    }
    runningCount = running.size();
  }

  /** Runs one step of these sequences; those that finish, or fail, leave the running batch. */
  private void step(List<Sequence> batch) {
    List<DecoderGraph.Row> rows = new ArrayList<>(batch.size());
    for (Sequence sequence : batch) {
      rows.add(sequence.row());
    }
    List<Sequence> done = new ArrayList<>();
    try {
      FloatBuffer logits = graph.step(rows);
      for (int i = 0; i < batch.size(); i++) {
        Sequence sequence = batch.get(i);
        if (sequence.advance(logits, i * graph.vocabulary())) {
          done.add(sequence);
        }
      }
    } catch (Exception | LinkageError e) {
      LOG.errorf(e, "Generation step of model %s failed", model);
      InferenceException failure = new InferenceException.ModelFailure("The model failed while generating: " + e.getMessage(), e);
      for (Sequence sequence : batch) {
        if (!done.contains(sequence)) {
          sequence.fail(failure);
          done.add(sequence);
        }
      }
    }
    for (Sequence sequence : done) {
      running.remove(sequence);
      reserved.addAndGet(-sequence.reservation());
    }
    runningCount = running.size();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    graph.close();
  }
}
