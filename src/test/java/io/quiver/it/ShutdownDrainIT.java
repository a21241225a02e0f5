package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.ServerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM on the packaged server: readiness goes false at once, the request in flight still gets
 * its answer, then the models are freed and the process exits.
 */
class ShutdownDrainIT {
  private static final String SLOW_REQUEST =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[0.5]}]}";

  @Test
  void sigtermDrainsInFlightRequestsBeforeExiting() throws Exception {
    try (ServerProcess server =
            ServerProcess.start(
                Map.of(
                    "QUIVER_MODEL_REPOSITORY", "src/test/resources/slow-repository",
                    "QUIVER_SHUTDOWN_DELAY", "1s"));
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      server.awaitReady(Duration.ofSeconds(60));

      long started = System.nanoTime();
      CompletableFuture<HttpResponse<String>> inFlight =
          CompletableFuture.supplyAsync(() -> server.post("/v2/models/slow/infer", SLOW_REQUEST), threads);
      Thread.sleep(300);
      server.terminate();

      HttpResponse<String> readiness = server.get("/v2/health/ready");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (readiness.statusCode() == 200 && System.nanoTime() < deadline) {
        Thread.sleep(10);
        readiness = server.get("/v2/health/ready");
      }
      assertEquals(503, readiness.statusCode(), readiness.body());
      assertEquals("{\"ready\":false}", readiness.body());
      assertTrue(!inFlight.isDone(), "readiness drops while the request is still running");

      HttpResponse<String> answer = inFlight.get(60, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"name\":\"y\",\"shape\":[1,1]"), answer.body());
      assertTrue(
          (System.nanoTime() - started) / 1_000_000 > 300,
          "the request was still running when SIGTERM arrived");

      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "the server exits after draining");
      String log = server.log();
      assertTrue(log.contains("Unloaded model slow"), log);
      assertTrue(log.contains("All models drained and unloaded"), log);
    }
  }
}
