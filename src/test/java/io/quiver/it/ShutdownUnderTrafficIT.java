package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.ServerProcess;
import io.quiver.support.TestRepository;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while keep-alive clients send steadily: the request running finishes, requests after the
 * shutdown delay are refused with 503 and Connection: close, and the server exits as soon as the
 * running work is done, long before the shutdown timeout.
 */
class ShutdownUnderTrafficIT {
  private static final String SLOW =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[0.5]}]}";
  private static final String FAST =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  @Test
  void drainEndsAsSoonAsTheRunningWorkIsDone() throws Exception {
    Path repository = Files.createTempDirectory("quiver-shutdown");
    TestRepository.copyTree(Path.of("src/test/resources/slow-repository/slow"), repository.resolve("slow"));
    TestRepository.copyTree(Path.of("examples/models/iris-onnx"), repository.resolve("iris-onnx"));
    try (ServerProcess server =
            ServerProcess.start(
                Map.of(
                    "QUIVER_MODEL_REPOSITORY", repository.toString(),
                    "QUIVER_SHUTDOWN_DELAY", "1s",
                    "QUARKUS_SHUTDOWN_TIMEOUT", "60s"));
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI fast = URI.create("http://localhost:" + server.httpPort + "/v2/models/iris-onnx/infer");
      URI slow = URI.create("http://localhost:" + server.httpPort + "/v2/models/slow/infer");

      AtomicBoolean sawRefusal = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      List<Future<?>> steady = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        steady.add(
            clients.submit(
                () -> {
                  while (true) {
                    HttpResponse<String> reply;
                    try {
                      reply = http.send(post(fast, FAST), HttpResponse.BodyHandlers.ofString());
                    } catch (ConnectException gone) {
                      return null;
                    }
                    if (reply.statusCode() == 503) {
                      assertTrue(reply.body().contains("shutting down"), reply.body());
                      assertEquals("close", reply.headers().firstValue("connection").orElse(""));
                      sawRefusal.set(true);
                      return null;
                    }
                    assertEquals(200, reply.statusCode(), reply.body());
                    answered.incrementAndGet();
                  }
                }));
      }
      CompletableFuture<HttpResponse<String>> running =
          CompletableFuture.supplyAsync(() -> sendQuietly(http, post(slow, SLOW)), clients);
      Thread.sleep(500);
      long terminated = System.nanoTime();
      server.terminate();

      assertEquals(200, running.get(60, TimeUnit.SECONDS).statusCode(), "the request running at SIGTERM is answered");
      assertTrue(server.process().waitFor(40, TimeUnit.SECONDS), "the server exits");
      long drainSeconds = (System.nanoTime() - terminated) / 1_000_000_000;
      assertTrue(drainSeconds < 30, "drained in " + drainSeconds + " s, not at the 60 s timeout: " + server.log());
      for (Future<?> client : steady) {
        client.get(10, TimeUnit.SECONDS);
      }
      assertTrue(sawRefusal.get(), "requests after the delay were refused");
      assertTrue(answered.get() > 0);
    }
  }

  private static HttpRequest post(URI uri, String body) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static HttpResponse<String> sendQuietly(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
