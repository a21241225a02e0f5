package io.quiver.bench;

import io.quiver.support.ServerProcess;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * gRPC on its own server (port 8081, KServe's layout) against gRPC on the HTTP server's port (one
 * port, as Knative routes it), and v2 REST on that shared port: the packaged server on the example
 * models, one mode after the other, at 1, 16 and 64 concurrent callers. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@grpc-port-benchmark}.
 */
public final class GrpcPortBenchmark {
  private static final int[] CONCURRENCY = {1, 16, 64};
  private static final String V2_BODY =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    double warmup = Math.max(1, seconds / 3);
    List<String> rows = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (boolean separate : new boolean[] {true, false}) {
        String mode = separate ? "separate gRPC server" : "one port";
        Map<String, String> environment =
            Map.of("QUIVER_MODEL_REPOSITORY", "examples/models", "QUARKUS_GRPC_SERVER_USE_SEPARATE_SERVER", Boolean.toString(separate));
        try (ServerProcess server = ServerProcess.start(environment)) {
          server.awaitReady(Duration.ofSeconds(60));
          int grpcPort = separate ? server.grpcPort : server.httpPort;
          for (int concurrency : CONCURRENCY) {
            rows.add(row(mode, LoadGenerator.run(GrpcTarget.modelInfer(grpcPort, Benchmark.grpcRequest()), concurrency, warmup, seconds)));
            RestTarget rest = new RestTarget(vertx, "v2 REST infer", server.httpPort, "/v2/models/iris-onnx/infer", V2_BODY, concurrency);
            rows.add(row(mode, LoadGenerator.run(rest, concurrency, warmup, seconds)));
          }
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.println("| mode | target | concurrency | requests/s | p50 µs | p99 µs |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
  }

  private static String row(String mode, Result result) {
    System.err.println(mode + ": " + result.row());
    return "| %s | %s | %d | %.0f | %.0f | %.0f |"
        .formatted(mode, result.target(), result.concurrency(), result.requestsPerSecond(), result.p50Micros(), result.p99Micros());
  }
}
