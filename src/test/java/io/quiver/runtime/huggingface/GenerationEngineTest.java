package io.quiver.runtime.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.InferenceException;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.Sampling;
import io.quiver.core.generation.TokenLogprob;
import io.quiver.core.generation.TokenSink;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.runtime.onnx.OnnxRuntimes;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's admission, cancellation and memory accounting, on the tiny decoder fixture. */
class GenerationEngineTest {
  private static final Path FOLDER = HuggingFaceFolders.FIXTURES.resolve("tiny-chat");
  private static final Set<Long> NEVER_ENDS = Set.of(-1L);

  private TextTokenizer tokenizer;
  private GenerationEngine engine;
  private DecoderGraph graph;

  private void start(GenerationEngine.Limits limits) throws Exception {
    TokenizerNatives.prepare(Optional.empty());
    tokenizer = TextTokenizer.read(FOLDER.resolve("tokenizer.json"), 0);
    ModelSource source = new ModelSource("tiny", null, FOLDER, ModelSettings.NONE);
    graph = new DecoderGraph(OnnxRuntimes.cpuSessions().open(FOLDER.resolve("model.onnx"), source));
    engine = new GenerationEngine(graph, limits, "tiny");
  }

  @BeforeEach
  void none() {
    engine = null;
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
      tokenizer.close();
    }
  }

  private Sequence sequence(String prompt, int maxTokens, TokenSink sink) {
    return new Sequence(tokenizer.ids(prompt), Sampling.greedy(maxTokens), sink, tokenizer, graph.vocabulary(), NEVER_ENDS, 256);
  }

  /** Records what a generation reports. */
  private static final class Recorder implements TokenSink {
    final AtomicInteger texts = new AtomicInteger();
    final CompletableFuture<Integer> finished = new CompletableFuture<>();
    Runnable onText = () -> {};

    @Override
    public void text(String delta, List<TokenLogprob> logprobs) {
      texts.incrementAndGet();
      onText.run();
    }

    @Override
    public void finished(FinishReason reason, int promptTokens, int completionTokens) {
      finished.complete(completionTokens);
    }

    @Override
    public void failed(InferenceException error) {
      finished.completeExceptionally(error);
    }
  }

  @Test
  void aCancelledSequenceLeavesTheBatchAndFreesItsCache() throws Exception {
    start(new GenerationEngine.Limits(4, 8, 10_000, 512));
    Recorder cancelled = new Recorder();
    Sequence sequence = sequence("Hello", 200, cancelled);
    cancelled.onText = () -> {
      if (cancelled.texts.get() == 3) {
        sequence.cancel();
      }
    };
    Recorder other = new Recorder();
    engine.submit(sequence);
    engine.submit(sequence("Quiver", 40, other));
    int generated = cancelled.finished.get(30, TimeUnit.SECONDS);
    assertTrue(generated < 10, "stopped within a step of its cancellation, after " + generated + " tokens");
    assertEquals(40, other.finished.get(30, TimeUnit.SECONDS), "the other sequence ran to its limit");
    // the engine's counts are settled right after it told the sinks
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((engine.load().running() > 0 || engine.load().kvTokens() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, engine.load().running());
    assertEquals(0, engine.load().kvTokens(), "every reserved cache position was given back");
  }

  @Test
  void admissionIsBoundedByTheQueueAndTheCache() throws Exception {
    start(new GenerationEngine.Limits(1, 1, 100, 512));
    InferenceException.InvalidInput tooBig = assertThrows(InferenceException.InvalidInput.class, () -> engine.submit(sequence("Hello", 200, new Recorder())));
    assertTrue(tooBig.getMessage().contains("cache"), tooBig.getMessage());

    CompletableFuture<Void> release = new CompletableFuture<>();
    Recorder first = new Recorder();
    first.onText = release::join; // holds the engine's thread: the next ones must wait
    engine.submit(sequence("Hi", 50, first));
    Recorder waiting = new Recorder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (first.texts.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    engine.submit(sequence("Hi", 5, waiting));
    InferenceException.Unavailable busy = assertThrows(InferenceException.Unavailable.class, () -> engine.submit(sequence("Hi", 5, new Recorder())));
    assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
    release.complete(null);
    assertEquals(50, first.finished.get(30, TimeUnit.SECONDS));
    assertEquals(5, waiting.finished.get(30, TimeUnit.SECONDS));
  }
}
