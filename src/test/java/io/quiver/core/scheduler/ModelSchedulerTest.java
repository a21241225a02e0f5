package io.quiver.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A model version's own threads: concurrency bound, queue bound, batching and the inline path. */
class ModelSchedulerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger running = new AtomicInteger();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private volatile boolean holding = true;
  private volatile RuntimeException thrown;
  private volatile boolean waitsForOthers;
  private ModelScheduler scheduler;

  private final LoadedModel model =
      new LoadedModel() {
        @Override
        public ModelMetadata metadata() {
          return new ModelMetadata("test", List.of(), List.of());
        }

        @Override
        public List<InferenceResult> infer(List<InferenceRequest> batch) {
          running.incrementAndGet();
          batchSizes.add(batch.size());
          threads.add(Thread.currentThread().getName());
          if (thrown != null) {
            throw thrown;
          }
          if (holding) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          List<InferenceResult> results = new ArrayList<>();
          batch.forEach(request -> results.add(new InferenceResult.Outputs(List.of())));
          return results;
        }

        @Override
        public boolean waitsForOtherModels() {
          return waitsForOthers;
        }

        @Override
        public void close() {}
      };

  private static InferenceRequest request(String id) {
    return new InferenceRequest(id, "m", null, List.of(), List.of(), Map.of());
  }

  private CompletableFuture<InferenceResult> submit(String id) {
    CompletableFuture<InferenceResult> answer = new CompletableFuture<>();
    scheduler.submit(request(id), (result, queueNanos, computeNanos, batchSize) -> answer.complete(result));
    return answer;
  }

  @AfterEach
  void stop() {
    release.countDown();
    scheduler.shutdown();
  }

  @Test
  void runsAtMostItsConcurrencyOnItsOwnThreadsAndRefusesBeyondItsQueue() throws Exception {
    scheduler = new ModelScheduler("m", model, 1, 1, BatchPolicy.NONE, 0, ModelScheduler.CallObserver.NONE);
    CompletableFuture<InferenceResult> first = submit("1");
    waitUntil(() -> running.get() == 1);
    CompletableFuture<InferenceResult> queued = submit("2");
    Thread.sleep(100);
    assertEquals(1, running.get(), "the second request waits for the first");
    InferenceException.Unavailable full = assertThrows(InferenceException.Unavailable.class, () -> submit("3"));
    assertTrue(full.getMessage().contains("has 1 requests waiting, its queue limit"), full.getMessage());
    release.countDown();
    assertInstanceOf(InferenceResult.Outputs.class, first.get(5, TimeUnit.SECONDS));
    assertInstanceOf(InferenceResult.Outputs.class, queued.get(5, TimeUnit.SECONDS));
    assertTrue(threads.stream().allMatch(name -> name.startsWith("quiver-model-m-")), threads.toString());
  }

  @Test
  void queuedRequestsAreGatheredIntoBatches() throws Exception {
    scheduler =
        new ModelScheduler("m", model, 1, 100, new BatchPolicy(8, Duration.ofMillis(50)), 0, ModelScheduler.CallObserver.NONE);
    CompletableFuture<InferenceResult> first = submit("first");
    waitUntil(() -> running.get() == 1);
    List<CompletableFuture<InferenceResult>> rest = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rest.add(submit("r" + i));
    }
    release.countDown();
    first.get(5, TimeUnit.SECONDS);
    for (CompletableFuture<InferenceResult> answer : rest) {
      assertInstanceOf(InferenceResult.Outputs.class, answer.get(5, TimeUnit.SECONDS));
    }
    assertEquals(List.of(1, 8, 2), batchSizes, "one alone, then the queued ten in batches of at most eight");
  }

  @Test
  void aLoneRequestIsNotHeldForCompany() throws Exception {
    holding = false;
    scheduler =
        new ModelScheduler("m", model, 1, 100, new BatchPolicy(8, Duration.ofSeconds(5)), 0, ModelScheduler.CallObserver.NONE);
    long started = System.nanoTime();
    submit("alone").get(5, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2), "no wait for a batch delay of 5 s");
  }

  @Test
  void aFastModelRunsOnTheCallersThreadUntilOneCallIsSlow() throws Exception {
    holding = false;
    scheduler =
        new ModelScheduler(
            "m", model, 2, 100, BatchPolicy.NONE, TimeUnit.SECONDS.toNanos(1), ModelScheduler.CallObserver.NONE);
    submit("warm-up").get(5, TimeUnit.SECONDS); // the first call runs on the model's thread
    submit("fast").get(5, TimeUnit.SECONDS);
    assertEquals(Thread.currentThread().getName(), threads.getLast(), "a known-fast model runs inline");

    holding = true;
    CompletableFuture<InferenceResult> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return submit("slow").get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(1_200);
    release.countDown();
    slow.get(5, TimeUnit.SECONDS);
    submit("after").get(5, TimeUnit.SECONDS);
    assertNotEquals(Thread.currentThread().getName(), threads.getLast(), "one slow call ends the inline path");
  }

  @Test
  void aModelThatWaitsForOthersNeverRunsOnTheCallersThread() throws Exception {
    holding = false;
    waitsForOthers = true;
    scheduler =
        new ModelScheduler(
            "m", model, 2, 100, BatchPolicy.NONE, TimeUnit.SECONDS.toNanos(1), ModelScheduler.CallObserver.NONE);
    for (int i = 0; i < 5; i++) {
      submit("call " + i).get(5, TimeUnit.SECONDS);
    }
    assertTrue(threads.stream().allMatch(name -> name.startsWith("quiver-model-m-")), "an ensemble's calls stay off the caller: " + threads);
  }

  @Test
  void whateverTheRuntimeThrowsFailsItsBatchNotTheThread() throws Exception {
    holding = false;
    scheduler = new ModelScheduler("m", model, 1, 10, BatchPolicy.NONE, 0, ModelScheduler.CallObserver.NONE);
    thrown = new IllegalStateException("native crash avoided");
    InferenceResult failed = submit("1").get(5, TimeUnit.SECONDS);
    assertEquals(
        "native crash avoided", assertInstanceOf(InferenceResult.Failed.class, failed).error().getMessage());
    thrown = null;
    assertInstanceOf(InferenceResult.Outputs.class, submit("2").get(5, TimeUnit.SECONDS));
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached");
      }
      Thread.sleep(5);
    }
  }
}
