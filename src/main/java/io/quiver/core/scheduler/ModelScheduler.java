package io.quiver.core.scheduler;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.ThrottledLog;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs one loaded model's requests on the model's own platform threads (Triton's instance group):
 * at most {@code concurrency} calls at once, fed by a bounded queue, optionally gathered into
 * batches. A native call holds one of these threads for as long as it runs, never a virtual
 * thread's carrier or an event loop, so one slow model cannot stall the others.
 *
 * <p>One exception, measured to be worth it: a model whose calls have been taking less than
 * {@code inlineBelowNanos} runs a small request on the calling thread when it has a free slot and
 * nothing queued, saving two thread wake-ups (tens of microseconds each, more than such a model's
 * whole inference). A single call slower than that bound stops it at once.
 */
public final class ModelScheduler {
  private static final Logger LOG = Logger.getLogger(ModelScheduler.class);
  /** Requests larger than this are never run on the calling thread. */
  private static final int INLINE_MAX_BYTES = 64 * 1024;

  private final String name;
  private final LoadedModel model;
  private final int concurrency;
  private final int maxQueueSize;
  private final BatchPolicy batching;
  private final long inlineBelowNanos;
  private final CallObserver observer;
  private final ThrottledLog modelFailures = new ThrottledLog(LOG);
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Requests accepted and not yet answered, queued or running. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Semaphore running;
  private final AtomicInteger workers = new AtomicInteger();
  private final AtomicInteger idleWorkers = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;
  /** A moving average of a call's duration; -1 until the model has run. */
  private volatile long averageNanos = -1;

  /** What the scheduler reports about each runtime call, for statistics and metrics. */
  @FunctionalInterface
  public interface CallObserver {
    CallObserver NONE = (requests, computeNanos, answerNanos) -> {};

    /**
     * @param requests the requests the call took (the batch size)
     * @param computeNanos how long the runtime took
     * @param answerNanos how long answering its requests took afterwards
     */
    void called(int requests, long computeNanos, long answerNanos);
  }

  /** What becomes of one request: its result, and how long it waited and ran. */
  @FunctionalInterface
  public interface Completion {
    /**
     * @param queueNanos how long it waited before the runtime call
     * @param computeNanos how long the runtime call took
     * @param batchSize how many requests that call took
     */
    void done(InferenceResult result, long queueNanos, long computeNanos, int batchSize);
  }

  /** A request waiting for the model, with what to do with its answer. */
  private record Job(InferenceRequest request, Completion done, long queuedAt) {}

  public ModelScheduler(
      String name,
      LoadedModel model,
      int concurrency,
      int maxQueueSize,
      BatchPolicy batching,
      long inlineBelowNanos,
      CallObserver observer) {
    this.name = name;
    this.model = model;
    this.concurrency = concurrency;
    this.maxQueueSize = maxQueueSize;
    this.batching = batching;
    this.inlineBelowNanos = inlineBelowNanos;
    this.observer = observer;
    this.running = new Semaphore(concurrency);
  }

  public BatchPolicy batching() {
    return batching;
  }

  /** The most runtime calls the model runs at once. */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Runs a request and hands {@code done} its result, exactly once: on this thread when the model
   * is known to be that fast and is free, otherwise on one of the model's threads. {@code done}
   * must not throw.
   *
   * @throws InferenceException.Unavailable when the queue is full, or the model has been shut down
   */
  public void submit(InferenceRequest request, Completion done) {
    if (stopped) {
      throw new InferenceException.Unavailable("Model %s is shutting down.".formatted(name));
    }
    inFlight.incrementAndGet();
    long now = System.nanoTime();
    if (runsInline(request) && running.tryAcquire()) {
      run(List.of(new Job(request, done, now)), now);
      return;
    }
    if (queued.incrementAndGet() > maxQueueSize) {
      queued.decrementAndGet();
      inFlight.decrementAndGet();
      throw new InferenceException.Unavailable(
          "Model %s has %d requests waiting, its queue limit; retry later.".formatted(name, maxQueueSize));
    }
    queue.add(new Job(request, done, now));
    startWorkerIfNeeded();
  }

  private boolean runsInline(InferenceRequest request) {
    long average = averageNanos;
    return average >= 0
        && average <= inlineBelowNanos
        && !model.waitsForOtherModels()
        && queue.isEmpty()
        && bytes(request) <= INLINE_MAX_BYTES;
  }

  private static long bytes(InferenceRequest request) {
    long bytes = 0;
    for (Tensor input : request.inputs()) {
      bytes += input.byteSize();
    }
    return bytes;
  }

  /** Starts a thread when more requests wait than threads are idle, up to the concurrency. */
  private void startWorkerIfNeeded() {
    while (queue.size() > idleWorkers.get()) {
      int live = workers.get();
      if (live >= concurrency) {
        return;
      }
      if (workers.compareAndSet(live, live + 1)) {
        Thread thread =
            Thread.ofPlatform().daemon().name("quiver-model-%s-%d".formatted(name, live + 1)).unstarted(this::work);
        synchronized (threads) {
          if (stopped) {
            return;
          }
          threads.add(thread);
        }
        thread.start();
        return;
      }
    }
  }

  private void work() {
    try {
      while (!stopped) {
        Job first = take();
        List<Job> batch = gather(first);
        running.acquireUninterruptibly();
        run(batch, System.nanoTime());
      }
    } catch (InterruptedException e) {
      // shut down
    }
  }

  private Job take() throws InterruptedException {
    idleWorkers.incrementAndGet();
    try {
      Job job = queue.take();
      queued.decrementAndGet();
      return job;
    } finally {
      idleWorkers.decrementAndGet();
    }
  }

  /**
   * The first request and whatever else is queued, up to the batch size; while other requests for
   * the model are in flight (their callers will soon send more), waits up to the batch delay for
   * company.
   */
  private List<Job> gather(Job first) throws InterruptedException {
    if (!batching.batches()) {
      return List.of(first);
    }
    List<Job> batch = new ArrayList<>(batching.maxBatchSize());
    batch.add(first);
    drainInto(batch);
    long deadline = first.queuedAt() + batching.maxDelay().toNanos();
    while (batch.size() < batching.maxBatchSize() && inFlight.get() > batch.size()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      Job next = queue.poll(remaining, TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      queued.decrementAndGet();
      batch.add(next);
      drainInto(batch);
    }
    return batch;
  }

  private void drainInto(List<Job> batch) {
    int taken = queue.drainTo(batch, batching.maxBatchSize() - batch.size());
    queued.addAndGet(-taken);
  }

  /** Runs a batch holding a permit, answers each request, and gives the permit back. */
  private void run(List<Job> batch, long startedAt) {
    List<InferenceResult> results;
    long computeNanos;
    try {
      results = call(batch);
    } finally {
      computeNanos = System.nanoTime() - startedAt;
      running.release();
    }
    record(computeNanos);
    long answering = System.nanoTime();
    for (int i = 0; i < batch.size(); i++) {
      Job job = batch.get(i);
      InferenceResult result = results.get(i);
      if (result instanceof InferenceResult.Failed failed && failed.error() instanceof InferenceException.ModelFailure) {
        modelFailures.warn("Model %s failed on a request: %s".formatted(name, failed.error().getMessage()));
      }
      inFlight.decrementAndGet();
      try {
        job.done().done(result, startedAt - job.queuedAt(), computeNanos, batch.size());
      } catch (RuntimeException e) {
        LOG.errorf(e, "Answering a request to model %s failed", name);
      }
    }
    observer.called(batch.size(), computeNanos, System.nanoTime() - answering);
  }

  /** The runtime's answers; anything it throws fails every request of the batch, never the thread. */
  private List<InferenceResult> call(List<Job> batch) {
    List<InferenceRequest> requests = new ArrayList<>(batch.size());
    for (Job job : batch) {
      requests.add(job.request());
    }
    try {
      List<InferenceResult> results = model.infer(requests);
      if (results.size() == batch.size()) {
        return results;
      }
      return failAll(
          batch.size(),
          new InferenceException.ModelFailure(
              "Model %s answered %d results for %d requests".formatted(name, results.size(), batch.size()), null));
    } catch (InferenceException e) {
      return failAll(batch.size(), e);
    } catch (Throwable e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return failAll(batch.size(), new InferenceException.ModelFailure(message, e));
    }
  }

  private static List<InferenceResult> failAll(int count, InferenceException error) {
    List<InferenceResult> failed = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      failed.add(new InferenceResult.Failed(error));
    }
    return failed;
  }

  /**
   * Updates the moving average of a call's duration. A call slower than the inline bound sets it
   * outright, so a model that turned slow leaves the calling thread at once.
   */
  private void record(long nanos) {
    long average = averageNanos;
    averageNanos = average < 0 || nanos > inlineBelowNanos ? nanos : average + (nanos - average) / 8;
  }

  /** Requests queued and not yet running. */
  public int queued() {
    return queued.get();
  }

  /** Requests accepted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Stops the model's threads. Called once nothing is queued or running any more. */
  public void shutdown() {
    synchronized (threads) {
      stopped = true;
      threads.forEach(Thread::interrupt);
    }
  }
}
