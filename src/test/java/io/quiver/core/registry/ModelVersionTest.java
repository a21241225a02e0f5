package io.quiver.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Concurrency limit, queue bound and drain of one served version. */
class ModelVersionTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  private final LoadedModel blocking =
      new LoadedModel() {
        @Override
        public ModelMetadata metadata() {
          return new ModelMetadata("test", List.of(), List.of());
        }

        @Override
        public List<InferenceResult> infer(List<InferenceRequest> batch) {
          running.incrementAndGet();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return List.of(new InferenceResult.Outputs(List.of()));
        }

        @Override
        public void close() {
          closed.incrementAndGet();
        }
      };

  /** Each task gets its own thread: these tasks block, and the common pool may have only one. */
  private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

  private static final List<InferenceRequest> ONE =
      List.of(new InferenceRequest("r", "m", null, List.of(), List.of(), Map.of()));

  @Test
  void runsAtMostItsConcurrencyAndRefusesBeyondItsQueue() throws Exception {
    ModelVersion version = ModelVersion.loading("m", null);
    version.ready(blocking, ModelSettings.NONE, 1, 1);
    CompletableFuture<?> first = CompletableFuture.runAsync(() -> version.infer(ONE), THREADS);
    waitUntil(() -> running.get() == 1);
    CompletableFuture<?> queued = CompletableFuture.runAsync(() -> version.infer(ONE), THREADS);
    Thread.sleep(100);
    assertEquals(1, running.get(), "the second request waits for the first");
    InferenceException.Unavailable full =
        assertThrows(InferenceException.Unavailable.class, () -> version.infer(ONE));
    assertTrue(full.getMessage().contains("has 1 requests waiting, its queue limit"), full.getMessage());
    release.countDown();
    first.get(5, TimeUnit.SECONDS);
    queued.get(5, TimeUnit.SECONDS);
    assertEquals(2, running.get());
  }

  @Test
  void unloadDrainsThenCloses() throws Exception {
    ModelVersion version = ModelVersion.loading("m", "3");
    version.ready(blocking, ModelSettings.NONE, 4, 10);
    CompletableFuture<?> inFlight = CompletableFuture.runAsync(() -> version.infer(ONE), THREADS);
    waitUntil(() -> running.get() == 1);
    CompletableFuture<?> unload = CompletableFuture.runAsync(() -> version.unload(Duration.ofSeconds(5), "unloaded"), THREADS);
    waitUntil(() -> version.state() == ModelState.UNLOADING);
    assertThrows(InferenceException.ModelNotReady.class, () -> version.infer(ONE));
    assertEquals(0, closed.get());
    release.countDown();
    inFlight.get(5, TimeUnit.SECONDS);
    unload.get(5, TimeUnit.SECONDS);
    assertEquals(1, closed.get());
    assertEquals(ModelState.UNAVAILABLE, version.state());
    assertEquals("Model with name m version 3 is not ready (UNAVAILABLE: unloaded).", version.notReady().getMessage());
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached");
      }
      Thread.sleep(5);
    }
  }
}
