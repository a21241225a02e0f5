package io.quiver.bench;

import io.quiver.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-to-ready and memory of the packaged server in the container's configuration (its
 * JAVA_OPTS, the example models), without and with a JDK 25 ahead-of-time cache recorded by a
 * training run (start, serve a few requests of each kind, stop): the figures a Knative cold start
 * depends on. Median of five starts each. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@aot-startup-benchmark}.
 */
public final class AotStartupBenchmark {
  private static final String[] CONTAINER_OPTIONS = {"-XX:+UseSerialGC", "-XX:MaxNewSize=32m", "-XX:MaxRAMPercentage=75"};
  private static final Map<String, String> MODELS = Map.of("QUIVER_MODEL_REPOSITORY", "examples/models");
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  private record Start(long readyMs, long rssKb) {}

  public static void main(String[] args) throws Exception {
    Path cache = Files.createTempDirectory("quiver-aot").resolve("quiver.aot");
    train(cache);
    Start without = median(starts(CONTAINER_OPTIONS));
    List<String> withCache = new ArrayList<>(List.of(CONTAINER_OPTIONS));
    withCache.add("-XX:AOTCache=" + cache);
    Start with = median(starts(withCache.toArray(String[]::new)));
    System.out.println("| configuration | start to ready (ms) | RSS when ready (MiB) |");
    System.out.println("|---|---:|---:|");
    System.out.printf("| container options | %d | %d |%n", without.readyMs(), without.rssKb() / 1024);
    System.out.printf("| container options + AOT cache (%d MiB) | %d | %d |%n", Files.size(cache) >> 20, with.readyMs(), with.rssKb() / 1024);
  }

  /** A run that records the cache when it exits: every protocol's path exercised once. */
  private static void train(Path cache) throws Exception {
    List<String> options = new ArrayList<>(List.of(CONTAINER_OPTIONS));
    options.add("-XX:AOTCacheOutput=" + cache);
    try (ServerProcess server = ServerProcess.start(MODELS, options.toArray(String[]::new))) {
      server.awaitReady(Duration.ofSeconds(120));
      for (int i = 0; i < 200; i++) {
        server.post("/v2/models/iris-onnx/infer", IRIS);
        server.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}");
      }
      server.post("/openai/v1/completions", "{\"model\": \"tiny-chat\", \"prompt\": \"Hi\", \"max_tokens\": 8}");
      server.terminate();
      if (!server.process().waitFor(120, TimeUnit.SECONDS) || !Files.exists(cache)) {
        throw new IllegalStateException("the training run wrote no AOT cache: " + server.log());
      }
    }
  }

  private static List<Start> starts(String[] options) throws Exception {
    List<Start> starts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try (ServerProcess server = ServerProcess.start(MODELS, options)) {
        long ready = server.awaitReady(Duration.ofSeconds(120));
        starts.add(new Start(ready, RssSampler.rssKb(server.pid())));
      }
    }
    return starts;
  }

  private static Start median(List<Start> starts) {
    List<Start> sorted = new ArrayList<>(starts);
    sorted.sort(Comparator.comparingLong(Start::readyMs));
    return sorted.get(sorted.size() / 2);
  }
}
