package io.quiver.bench;

import io.quiver.support.OtlpReceiver;
import io.quiver.support.ServerProcess;
import io.quiver.support.TestRepository;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, in one run: how a fast model answers while a slow model is kept busy (model
 * isolation); memory and threads while models are reloaded 50 times a second for minutes; and,
 * given an earlier build's jar, the small-model hot path of both builds side by side.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@operations-benchmark} ({@code
 * -Dbench.seconds=10}, {@code -Dbench.reloadSeconds=180}, {@code -Dbench.baselineJar=<jar>}).
 */
public final class OperationsBenchmark {
  private static final String FAST_V2 =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String FAST_V1 = "{\"instances\":[[6.8,2.8,4.8,1.4]]}";
  private static final String SLOW =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[0.5]}]}";

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    double reloadSeconds = Double.parseDouble(System.getProperty("bench.reloadSeconds", "60"));
    String baseline = System.getProperty("bench.baselineJar", "");
    Path repository = Files.createTempDirectory("quiver-bench");
    TestRepository.copyTree(Path.of("examples/models"), repository);
    TestRepository.copyTree(Path.of("src/test/resources/slow-repository/slow"), repository.resolve("slow"));
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s, %.0f s per point.%n%n"
            .formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds));
    Vertx vertx = Vertx.vertx();
    try {
      try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", repository.toString()))) {
        server.awaitReady(Duration.ofSeconds(60));
        isolation(vertx, server, seconds, out);
        if (reloadSeconds > 0) {
          reloadChurn(vertx, server, reloadSeconds, out);
        }
      }
      if (!baseline.isBlank()) {
        hotPath(vertx, baseline, seconds, out);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.println(out);
  }

  /** Fast models at concurrency 4, alone and while four clients keep the slow model busy. */
  private static void isolation(Vertx vertx, ServerProcess server, double seconds, StringBuilder out)
      throws Exception {
    // the JIT compiles every path first
    run(new RestTarget(vertx, "warm-up", server.httpPort, "/v1/models/iris-xgboost:predict", FAST_V1, 8), 8, 5);
    run(new RestTarget(vertx, "warm-up", server.httpPort, "/v2/models/iris-onnx/infer", FAST_V2, 8), 8, 5);
    List<Result> results = new ArrayList<>();
    for (String phase : List.of("alone", "slow model busy")) {
      AtomicBoolean busy = new AtomicBoolean(phase.equals("slow model busy"));
      AtomicLong slowCalls = new AtomicLong();
      List<Thread> slowClients = new ArrayList<>();
      for (int c = 0; c < 4 && busy.get(); c++) {
        slowClients.add(Thread.ofVirtual().start(() -> {
          while (busy.get()) {
            if (server.post("/v2/models/slow/infer", SLOW).statusCode() == 200) {
              slowCalls.incrementAndGet();
            }
          }
        }));
      }
      if (busy.get()) {
        Thread.sleep(2_000);
      }
      long slowBefore = slowCalls.get();
      long started = System.nanoTime();
      results.add(run(new RestTarget(vertx, "iris-xgboost v1, " + phase, server.httpPort,
          "/v1/models/iris-xgboost:predict", FAST_V1, 4), 4, seconds));
      results.add(run(new RestTarget(vertx, "iris-onnx v2, " + phase, server.httpPort,
          "/v2/models/iris-onnx/infer", FAST_V2, 4), 4, seconds));
      results.add(run(new RestTarget(vertx, "GET /v2/health/ready, " + phase, server.httpPort,
          "/v2/health/ready", null, 4), 4, seconds));
      double elapsed = (System.nanoTime() - started) / 1e9;
      busy.set(false);
      for (Thread client : slowClients) {
        client.join();
      }
      if (phase.equals("slow model busy")) {
        out.append("Slow model meanwhile: %.2f calls/s from 4 clients.%n%n".formatted((slowCalls.get() - slowBefore) / elapsed));
      }
    }
    out.append("Model isolation: fast models at concurrency 4, alone and with a slow model kept busy:%n%n".formatted());
    table(out, results);
  }

  /** 50 reloads a second (two models, alternately) under light traffic; RSS and threads sampled. */
  private static void reloadChurn(Vertx vertx, ServerProcess server, double seconds, StringBuilder out)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    AtomicLong reloads = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    Thread reloader = Thread.ofPlatform().start(() -> {
      long next = System.nanoTime();
      while (System.nanoTime() < deadline) {
        String model = reloads.get() % 2 == 0 ? "iris-onnx" : "iris-xgboost";
        if (!post(http, server, "/v2/repository/models/" + model + "/load")) {
          failures.incrementAndGet();
        }
        reloads.incrementAndGet();
        next += 20_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(Duration.ofNanos(wait));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    });
    List<String> samples = new ArrayList<>();
    long started = System.nanoTime();
    try (RestTarget traffic = new RestTarget(vertx, "traffic", server.httpPort, "/v2/models/iris-onnx/infer", FAST_V2, 2)) {
      Thread trafficThread = Thread.ofPlatform().start(() -> {
        try {
          LoadGenerator.run(traffic, 2, 0, seconds);
        } catch (Exception e) {
          failures.incrementAndGet();
        }
      });
      while (reloader.isAlive()) {
        samples.add(
            "| %.0f | %d | %d | %,d |".formatted(
                (System.nanoTime() - started) / 1e9, rssKb(server.pid()) / 1024, threads(server.pid()), reloads.get()));
        reloader.join(Math.max(1, (long) (seconds * 1000 / 12)));
      }
      trafficThread.join();
    }
    samples.add("| %.0f | %d | %d | %,d |".formatted(
        (System.nanoTime() - started) / 1e9, rssKb(server.pid()) / 1024, threads(server.pid()), reloads.get()));
    out.append(
        "%nReloads under traffic: %,d reloads in %.0f s (%.0f/s), %d failed requests or reloads, 2 clients on v2 REST meanwhile:%n%n"
            .formatted(reloads.get(), seconds, reloads.get() / seconds, failures.get()));
    out.append("| seconds | RSS MiB | threads | reloads |%n|---:|---:|---:|---:|%n".formatted());
    samples.forEach(line -> out.append(line).append('\n'));
  }

  /**
   * The small-model hot path of an earlier build, this build, and this build exporting a span for
   * every request to an OTLP receiver, alternately, in one run.
   */
  private static void hotPath(Vertx vertx, String baselineJar, double seconds, StringBuilder out) throws Exception {
    List<Result> results = new ArrayList<>();
    long spans = 0;
    for (int round = 0; round < 2; round++) {
      for (String build : List.of("earlier build", "this build", "this build, traces exported")) {
        try (OtlpReceiver receiver = OtlpReceiver.counting()) {
          Map<String, String> environment = new HashMap<>(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"));
          if (build.endsWith("exported")) {
            environment.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
          }
          String jar = build.equals("earlier build") ? baselineJar : System.getProperty("quiver.jar");
          try (ServerProcess server = ServerProcess.start(jar, environment)) {
            server.awaitReady(Duration.ofSeconds(60));
            run(new RestTarget(vertx, "warm-up", server.httpPort, "/v2/models/iris-onnx/infer", FAST_V2, 8), 8, 5);
            for (int concurrency : new int[] {1, 64}) {
              results.add(run(new RestTarget(vertx, "v2 REST infer, " + build + ", round " + (round + 1),
                  server.httpPort, "/v2/models/iris-onnx/infer", FAST_V2, concurrency), concurrency, seconds));
            }
          }
          spans += receiver.received();
        }
      }
    }
    out.append("%nSmall-model hot path: an earlier build, this build, and this build exporting traces (alternating, same run):%n%n".formatted());
    table(out, results);
    out.append("%nThe OTLP receiver received %,d spans from the traced runs.%n".formatted(spans));
  }

  private static Result run(RestTarget target, int concurrency, double seconds) throws InterruptedException {
    try (target) {
      Result result = LoadGenerator.run(target, concurrency, Math.max(1, seconds / 3), seconds);
      System.err.println(result.row());
      return result;
    }
  }

  private static boolean post(HttpClient http, ServerProcess server, String path) {
    try {
      HttpResponse<String> reply =
          http.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort + path))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return reply.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void table(StringBuilder out, List<Result> results) {
    out.append("| target | concurrency | requests/s | p50 µs | p99 µs |%n|---|---:|---:|---:|---:|%n".formatted());
    results.forEach(r -> out.append(r.row()).append('\n'));
  }

  private static long rssKb(long pid) {
    return statusField(pid, "VmRSS:");
  }

  private static long threads(long pid) {
    return statusField(pid, "Threads:");
  }

  private static long statusField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process has gone
    }
    return 0;
  }
}
