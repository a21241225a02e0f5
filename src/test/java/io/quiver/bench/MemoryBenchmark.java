package io.quiver.bench;

import io.quiver.support.ServerProcess;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory the packaged server holds under load, and the throughput it keeps, for several sets
 * of JVM options: each set serves the example models through a minute of v2 REST load at
 * concurrency 64 (half on the ONNX model, half on the XGBoost one), the sets taking turns, twice.
 * Reports the resident memory when ready, its peak under load, and requests per second. Prints
 * Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@memory-benchmark} ({@code
 * -Dbench.seconds=30}: seconds per model and round).
 */
public final class MemoryBenchmark {
  private static final int CONCURRENCY = 64;
  private static final int ROUNDS = 2;
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final Map<String, String> OPTION_SETS = new LinkedHashMap<>();

  static {
    OPTION_SETS.put("JVM defaults", "");
    OPTION_SETS.put("Quiver's defaults", "-XX:+UseSerialGC -XX:MaxNewSize=32m");
    OPTION_SETS.put("smaller young generation", "-XX:+UseSerialGC -XX:MaxNewSize=16m");
    OPTION_SETS.put("bounded heap, G1", "-Xmx128m");
  }

  private record Measured(long readyKb, long peakKb, double onnxPerSecond, double xgboostPerSecond) {}

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "30"));
    Map<String, List<Measured>> measured = new LinkedHashMap<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (int round = 0; round < ROUNDS; round++) {
        for (Map.Entry<String, String> set : OPTION_SETS.entrySet()) {
          Measured result = measure(vertx, set.getValue(), seconds);
          System.err.printf("%s: %s%n", set.getKey(), result);
          measured.computeIfAbsent(set.getKey(), key -> new ArrayList<>()).add(result);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.println(report(measured, seconds));
  }

  private static Measured measure(Vertx vertx, String options, double seconds) throws Exception {
    String[] jvm = options.isEmpty() ? new String[0] : options.split(" ");
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"), jvm)) {
      server.awaitReady(Duration.ofSeconds(60));
      long readyKb = RssSampler.rssKb(server.pid());
      try (RssSampler sampler = new RssSampler(server.pid())) {
        sampler.start();
        double onnx = load(vertx, server, "iris-onnx", seconds);
        double xgboost = load(vertx, server, "iris-xgboost", seconds);
        return new Measured(readyKb, sampler.peakKb(), onnx, xgboost);
      }
    }
  }

  private static double load(Vertx vertx, ServerProcess server, String model, double seconds) throws InterruptedException {
    try (RestTarget rest = new RestTarget(vertx, model, server.httpPort, "/v2/models/" + model + "/infer", BODY, CONCURRENCY)) {
      return LoadGenerator.run(rest, CONCURRENCY, Math.max(1, seconds / 6), seconds).requestsPerSecond();
    }
  }

  private static String report(Map<String, List<Measured>> measured, double seconds) {
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s; %.0f s per model and round at concurrency %d, %d rounds (figures: round 1 / round 2).%n%n"
            .formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds, CONCURRENCY, ROUNDS));
    out.append("| JVM options | RSS when ready, MiB | peak RSS under load, MiB | iris-onnx requests/s | iris-xgboost requests/s |%n".formatted());
    out.append("|---|---:|---:|---:|---:|%n".formatted());
    measured.forEach((name, rounds) -> {
      String options = OPTION_SETS.get(name);
      out.append(
          "| %s%s | %s | %s | %s | %s |%n"
              .formatted(
                  name, options.isEmpty() ? "" : " (`" + options + "`)",
                  join(rounds, m -> "%d".formatted(m.readyKb() / 1024)),
                  join(rounds, m -> "%d".formatted(m.peakKb() / 1024)),
                  join(rounds, m -> "%,.0f".formatted(m.onnxPerSecond())),
                  join(rounds, m -> "%,.0f".formatted(m.xgboostPerSecond()))));
    });
    return out.toString();
  }

  private static String join(List<Measured> rounds, java.util.function.Function<Measured, String> figure) {
    return String.join(" / ", rounds.stream().map(figure).toList());
  }
}
