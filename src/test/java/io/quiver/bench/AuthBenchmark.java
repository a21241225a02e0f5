package io.quiver.bench;

import io.quiver.support.ServerProcess;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What authentication costs per request: v2 REST infer on the iris ONNX model with authentication
 * off, with a bearer JWT (RS256, verified on every request), and with an API key, at 1 and 64
 * callers, on the packaged server. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@auth-benchmark}.
 */
public final class AuthBenchmark {
  private static final String V2_BODY =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String API_KEY = "benchmark-api-key";

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    double warmup = Math.max(1, seconds / 3);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    Path folder = Files.createTempDirectory("quiver-auth-bench");
    Path publicKey = folder.resolve("public.pem");
    Files.writeString(
        publicKey,
        "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    Path apiKeys = folder.resolve("api-keys");
    Files.writeString(
        apiKeys, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(API_KEY.getBytes(StandardCharsets.UTF_8))) + " models:*:infer\n");
    String token = Jwt.issuer("https://bench").subject("bench").claim("scope", "models:*:infer").expiresIn(3600).sign(keys.getPrivate());

    List<String> rows = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, String> secured =
          Map.of(
              "QUIVER_MODEL_REPOSITORY", "examples/models",
              "QUIVER_AUTH_ENABLED", "true",
              "QUIVER_AUTH_API_KEYS_FILE", apiKeys.toString(),
              "MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toString(),
              "MP_JWT_VERIFY_ISSUER", "https://bench");
      try (ServerProcess server = ServerProcess.start(secured)) {
        server.awaitReady(Duration.ofSeconds(60));
        for (int callers : new int[] {1, 64}) {
          rows.add(measure(vertx, server, "bearer JWT (RS256)", "Bearer " + token, callers, warmup, seconds));
          rows.add(measure(vertx, server, "API key", "Bearer " + API_KEY, callers, warmup, seconds));
        }
      }
      // each server is a fresh process: the first point measured on it runs with a colder JIT
      try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"))) {
        server.awaitReady(Duration.ofSeconds(60));
        for (int callers : new int[] {1, 64}) {
          rows.add(measure(vertx, server, "authentication off", null, callers, warmup, seconds));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    System.out.println("| credential | callers | requests/s | p50 µs | p99 µs |");
    System.out.println("|---|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
  }

  private static String measure(Vertx vertx, ServerProcess server, String name, String authorization, int callers, double warmup, double seconds)
      throws InterruptedException {
    RestTarget target = new RestTarget(vertx, name, server.httpPort, "/v2/models/iris-onnx/infer", V2_BODY, callers, authorization);
    Result result = LoadGenerator.run(target, callers, warmup, seconds);
    System.err.println(result.row());
    return "| %s | %d | %.0f | %.0f | %.0f |".formatted(name, callers, result.requestsPerSecond(), result.p50Micros(), result.p99Micros());
  }
}
