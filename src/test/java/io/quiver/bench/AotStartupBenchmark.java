package io.quiver.bench;

import io.quiver.support.ContainerImage;
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
 * depends on. Median of five starts each, first as a plain JVM on this machine, then, when the
 * image profile has written target/image/quiver.tar, in the image itself: its root file system,
 * its JRE, its user and environment. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@aot-startup-benchmark} (add {@code
 * -Pimage} for the image's rows; as root).
 */
public final class AotStartupBenchmark {
  private static final String CONTAINER_OPTIONS = "-XX:+UseSerialGC -XX:MaxNewSize=32m -XX:MaxRAMPercentage=75";
  private static final Path MODELS = Path.of("examples/models");
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  private record Start(long readyMs, long rssKb) {}

  /** Starts the server with JVM options added to the container's; {@code cache} is where a run writes and reads the AOT cache. */
  private interface Launch {
    ServerProcess start(String options);

    /** The cache as the server names it. */
    String cache();

    /** The same file as this process reaches it. */
    Path cacheHere();
  }

  public static void main(String[] args) throws Exception {
    System.out.println("| configuration | start to ready (ms) | RSS when ready (MiB) |");
    System.out.println("|---|---:|---:|");
    Path folder = Files.createTempDirectory("quiver-aot");
    measure("plain JVM", new Launch() {
      public ServerProcess start(String options) {
        String all = CONTAINER_OPTIONS + " " + options;
        return ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", MODELS.toString()), all.trim().split(" "));
      }

      public String cache() {
        return cacheHere().toString();
      }

      public Path cacheHere() {
        return folder.resolve("quiver.aot");
      }
    });
    Path tarball = Path.of(System.getProperty("quiver.image", "target/image/quiver.tar"));
    if (Files.exists(tarball)) {
      ContainerImage image = ContainerImage.read(tarball);
      Path root = tarball.resolveSibling("benchmark-rootfs");
      new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
      image.unpack(root);
      measure("image", new Launch() {
        public ServerProcess start(String options) {
          return image.start(root, MODELS, Map.of("JAVA_OPTS", image.environment().get("JAVA_OPTS") + " " + options));
        }

        public String cache() {
          return "/deployments/cache/quiver.aot";
        }

        public Path cacheHere() {
          return root.resolve("deployments/cache/quiver.aot");
        }
      });
    }
  }

  private static void measure(String where, Launch launch) throws Exception {
    train(launch);
    Start without = median(starts(launch, ""));
    Start with = median(starts(launch, "-XX:AOTCache=" + launch.cache()));
    System.out.printf("| %s, container options | %d | %d |%n", where, without.readyMs(), without.rssKb() / 1024);
    System.out.printf("| %s, container options + AOT cache (%d MiB) | %d | %d |%n",
        where, Files.size(launch.cacheHere()) >> 20, with.readyMs(), with.rssKb() / 1024);
  }

  /** A run that records the cache when it exits: every protocol's path exercised once. */
  private static void train(Launch launch) throws Exception {
    try (ServerProcess server = launch.start("-XX:AOTCacheOutput=" + launch.cache())) {
      server.awaitReady(Duration.ofSeconds(120));
      for (int i = 0; i < 200; i++) {
        server.post("/v2/models/iris-onnx/infer", IRIS);
        server.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}");
      }
      server.post("/openai/v1/completions", "{\"model\": \"tiny-chat\", \"prompt\": \"Hi\", \"max_tokens\": 8}");
      server.terminate();
      if (!server.process().waitFor(120, TimeUnit.SECONDS) || !Files.exists(launch.cacheHere())) {
        throw new IllegalStateException("the training run wrote no AOT cache: " + server.log());
      }
    }
  }

  private static List<Start> starts(Launch launch, String options) throws Exception {
    List<Start> starts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try (ServerProcess server = launch.start(options)) {
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
