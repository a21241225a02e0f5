package io.quiver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.support.ServerProcess;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adaptive batching on a model big enough for it to matter: the ONNX multilayer perceptron of
 * {@code src/test/resources/benchmark-models/mlp} (256 → 1024 → 1024 → 10, random weights, made by
 * torch), served twice by one server, without batching and with {@code max_batch_size} 64 and
 * {@code max_batch_time} 2 ms, driven by one-row v2 REST requests at concurrency 1, 16, 64 and 256,
 * the two models alternately at each concurrency. The ceiling of what any batcher could reach is
 * measured in the same run: rows per second when every request already holds 64 rows. Prints
 * Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@batching-benchmark} ({@code
 * -Dbench.seconds=10}).
 */
public final class BatchingBenchmark {
  private static final Path MLP = Path.of("src/test/resources/benchmark-models/mlp/model.onnx");
  /**
   * One instance with one intra-op thread, as each of the unbatched copy's two instances has:
   * while it computes a batch the next one gathers, and the other core is left to HTTP and JSON.
   * Measured with wrk at concurrency 64, this gathered larger batches and answered more than two
   * instances (1.5 times the unbatched copy) or one instance with two intra-op threads (1.75).
   */
  private static final String BATCHING =
      "{\"max_batch_size\": 64, \"max_batch_time\": 0.002, \"max_concurrency\": 1, \"parameters\": {\"intra_op_threads\": 1}}";
  private static final int CEILING_ROWS = 64;
  private static final int[] CONCURRENCY = {1, 16, 64, 256};

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    Path repository = Files.createTempDirectory("quiver-bench-batching");
    for (String model : List.of("mlp", "mlp-batched")) {
      Files.createDirectories(repository.resolve(model));
      Files.copy(MLP, repository.resolve(model).resolve("model.onnx"));
    }
    Files.writeString(repository.resolve("mlp-batched/model-settings.json"), BATCHING);
    String body = rows(1);
    List<Result[]> pairs = new ArrayList<>();
    String batchStats;
    Result ceiling;
    Vertx vertx = Vertx.vertx();
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", repository.toString()))) {
      server.awaitReady(Duration.ofSeconds(60));
      for (String model : List.of("mlp", "mlp-batched")) {
        run(vertx, server, model, body, 16, 5); // the JIT compiles every path first
      }
      for (int concurrency : CONCURRENCY) {
        Result alone = run(vertx, server, "mlp", body, concurrency, seconds);
        Result batched = run(vertx, server, "mlp-batched", body, concurrency, seconds);
        pairs.add(new Result[] {alone, batched});
      }
      ceiling = run(vertx, server, "mlp", rows(CEILING_ROWS), 2, seconds);
      batchStats = server.get("/v2/models/mlp-batched/stats").body();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.println(report(pairs, ceiling, batchStats, seconds));
  }

  private static Result run(Vertx vertx, ServerProcess server, String model, String body, int concurrency, double seconds)
      throws InterruptedException {
    String target = model.equals("mlp") ? "no batching" : "batching";
    if (body.length() > 20_000) {
      target = "%d-row requests".formatted(CEILING_ROWS);
    }
    try (RestTarget rest = new RestTarget(vertx, target, server.httpPort, "/v2/models/" + model + "/infer", body, concurrency)) {
      Result result = LoadGenerator.run(rest, concurrency, Math.max(1, seconds / 3), seconds);
      System.err.println(result.row());
      return result;
    }
  }

  /** A request of {@code rows} copies of the first row of the fixture's recorded input. */
  private static String rows(int rows) throws Exception {
    JsonNode input = new ObjectMapper().readTree(Path.of("src/test/resources/expected/mlp.json").toFile()).get("inputs").get(0);
    StringBuilder data = new StringBuilder();
    for (int row = 0; row < rows; row++) {
      for (int i = 0; i < 256; i++) {
        data.append(data.isEmpty() ? "" : ",").append(input.get("data").get(i).asDouble());
      }
    }
    return "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[%d,256],\"datatype\":\"FP32\",\"data\":[%s]}]}".formatted(rows, data);
  }

  private static String report(List<Result[]> pairs, Result ceiling, String batchStats, double seconds) throws Exception {
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s, %.0f s per point; settings of the batched copy: %s.%n%n"
            .formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds, BATCHING));
    out.append("| concurrency | requests/s, no batching | requests/s, batching | ratio | p50 µs, no batching | p50 µs, batching | p99 µs, no batching | p99 µs, batching |%n".formatted());
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|%n".formatted());
    for (Result[] pair : pairs) {
      out.append(
          "| %d | %,.0f | %,.0f | %.2f | %.0f | %.0f | %.0f | %.0f |%n"
              .formatted(
                  pair[0].concurrency(), pair[0].requestsPerSecond(), pair[1].requestsPerSecond(),
                  pair[1].requestsPerSecond() / pair[0].requestsPerSecond(), pair[0].p50Micros(), pair[1].p50Micros(),
                  pair[0].p99Micros(), pair[1].p99Micros()));
    }
    Result unbatched64 = pairs.stream().map(pair -> pair[0]).filter(result -> result.concurrency() == 64).findFirst().orElseThrow();
    out.append(
        "%nCeiling: the unbatched model answering %d-row requests at concurrency 2 computes %,.0f rows/s, %.2f times its one-row figure at concurrency 64.%n"
            .formatted(CEILING_ROWS, ceiling.requestsPerSecond() * CEILING_ROWS,
                ceiling.requestsPerSecond() * CEILING_ROWS / unbatched64.requestsPerSecond()));
    JsonNode stats = new ObjectMapper().readTree(batchStats).get("model_stats").get(0);
    out.append(
        "%nThe batched copy answered %,d requests in %,d runtime calls (Triton statistics, warm-up included): %.1f requests per call.%n"
            .formatted(
                stats.get("inference_count").asLong(), stats.get("execution_count").asLong(),
                stats.get("inference_count").asDouble() / stats.get("execution_count").asDouble()));
    return out.toString();
  }
}
