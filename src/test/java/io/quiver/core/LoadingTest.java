package io.quiver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.support.AwaitModelsLoaded.WhileLoading;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server opens at once and serves what has loaded while a slow load goes on: live, not ready,
 * good models answering; a load that overruns its time limit, or throws anything at all, fails
 * that model alone, with the reason.
 */
@QuarkusTest
@TestProfile(LoadingTest.SlowLoads.class)
@WhileLoading
class LoadingTest {
  /** A repository with a good model, one whose load never ends, and one whose load overflows its stack. */
  public static class SlowLoads implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path root = Files.createTempDirectory("quiver-slow-loads");
        TestRepository.copyTree(Path.of("src/test/resources/repository/iris-onnx"), root.resolve("iris-onnx"));
        tracking(root.resolve("endless"), "{\"load_seconds\": \"3600\"}");
        tracking(root.resolve("overflowing"), "{\"load_error\": \"StackOverflowError\"}");
        return Map.of("quiver.model-repository", root.toString(), "quiver.load-timeout", "4s");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static void tracking(Path folder, String parameters) throws IOException {
      Files.createDirectories(folder);
      Files.writeString(
          folder.resolve("model-settings.json"), "{\"format\": \"tracking\", \"parameters\": " + parameters + "}");
    }
  }

  @Test
  void servesWhileASlowLoadGoesOnAndFailsItAtItsTimeLimit() throws Exception {
    assertEquals(200, Rest.get("/v2/health/live").status());
    Reply notReady = Rest.get("/v2/health/ready");
    assertEquals(503, notReady.status());
    assertEquals("{\"ready\":false}", notReady.text());
    awaitReady("iris-onnx");
    Reply served = Rest.post("/v2/models/iris-onnx/infer", Expected.of("iris-onnx").request());
    assertEquals(200, served.status(), served.text());
    Reply loading = Rest.get("/v2/models/endless/ready");
    assertEquals(200, loading.status());
    assertEquals(false, loading.json().get("ready").asBoolean());
    assertTrue(loading.json().get("reason").asText().contains("LOADING"), loading.text());

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (Rest.get("/v2/health/ready").status() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(200, Rest.get("/v2/health/ready").status(), "ready once every load has finished or failed");
    JsonNode endless = Rest.get("/v2/models/endless/ready").json();
    assertTrue(
        endless.get("reason").asText().contains("FAILED: loading took longer than 4s (quiver.load-timeout); abandoned"),
        endless.toString());
    JsonNode overflowing = Rest.get("/v2/models/overflowing/ready").json();
    assertTrue(
        overflowing.get("reason").asText().contains("FAILED: the model file nests objects too deeply"),
        overflowing.toString());
    assertEquals(200, Rest.post("/v2/models/iris-onnx/infer", Expected.of("iris-onnx").request()).status());
  }

  private static void awaitReady(String model) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Rest.get("/v2/models/" + model + "/ready").text().contains("\"ready\":true")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(model + " did not load");
      }
      Thread.sleep(20);
    }
  }
}
