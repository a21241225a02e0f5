package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.support.ContainerImage;
import io.quiver.support.Expected;
import io.quiver.support.ServerProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The image the image profile writes (target/image/quiver.tar), read and run as a container runs it. */
@Tag("image")
class ContainerImageIT {
  private static ContainerImage image;
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    Path tarball = Path.of(System.getProperty("quiver.image", "target/image/quiver.tar"));
    image = ContainerImage.read(tarball);
    root = tarball.resolveSibling("rootfs");
    new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    image.unpack(root);
  }

  @Test
  void theConfigurationIsTheDockerfiles() {
    JsonNode config = image.config;
    assertEquals(List.of("sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"), strings(config.get("Entrypoint")));
    assertEquals("185", config.get("User").asText());
    assertEquals("/deployments", config.get("WorkingDir").asText());
    assertEquals(List.of("8080/tcp", "8081/tcp"), fieldNames(config.get("ExposedPorts")));
    Map<String, String> environment = image.environment();
    assertEquals("1", environment.get("ORT_DISABLE_TELEMETRY"));
    assertEquals("/mnt/models", environment.get("QUIVER_MODEL_REPOSITORY"));
    assertEquals("/deployments/cache", environment.get("XDG_CACHE_HOME"));
    assertEquals("-XX:+UseSerialGC -XX:MaxNewSize=32m -XX:MaxRAMPercentage=75", environment.get("JAVA_OPTS"));
    assertEquals("/opt/java/openjdk", environment.get("JAVA_HOME"));
  }

  @Test
  void theApplicationIsLaidOutAsAFastJarInLayersThatChangeAtDifferentRates() throws Exception {
    assertEquals(5, image.layers().size(), "base, extra files, libraries, generated, application");
    assertTrue(Files.isRegularFile(root.resolve("deployments/quarkus-run.jar")));
    assertTrue(Files.isDirectory(root.resolve("deployments/lib/main")));
    assertTrue(Files.isRegularFile(root.resolve("deployments/quarkus/quarkus-application.dat")));
    assertTrue(Files.isRegularFile(root.resolve("deployments/app/quiver-0.1.0.jar")));
    assertTrue(Files.isExecutable(root.resolve("opt/java/openjdk/bin/java")));
    assertFalse(Files.exists(root.resolve("app")), "Jib's own class-path layout is filtered out");
    Path cache = root.resolve("deployments/cache");
    assertEquals(185, Files.getAttribute(cache, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
  }

  @Test
  void theImageServesTheExampleModelsAsItsUserAndStopsOnSigterm() throws Exception {
    Expected iris = Expected.of("iris-onnx");
    try (ServerProcess server = image.start(root, Path.of("examples/models"), Map.of())) {
      server.awaitReady(Duration.ofSeconds(120));
      HttpResponse<String> answer = server.post("/v2/models/iris-onnx/infer", iris.request().toString());
      assertEquals(200, answer.statusCode(), answer.body());
      Expected.assertTensor(iris.outputs().getFirst(), Expected.JSON.readTree(answer.body()).get("outputs").get(0));
      String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
      assertTrue(status.lines().anyMatch(line -> line.matches("Uid:\\s+185\\s.*")), status);
      try (Stream<Path> natives = Files.list(root.resolve("deployments/cache/quiver/natives"))) {
        assertTrue(natives.anyMatch(folder -> folder.getFileName().toString().startsWith("onnxruntime-")));
      }
      server.terminate();
      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server.log());
      assertTrue(server.log().contains("stopped in"), server.log());
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(node -> strings.add(node.asText()));
    return strings;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
