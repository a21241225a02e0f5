package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.ServerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged server as users launch it. */
class LaunchIT {
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  @Test
  void aCleanStartOnTheExampleModelsLogsNoWarning() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"))) {
      server.awaitReady(Duration.ofSeconds(60));
      assertEquals(200, server.post("/v2/models/iris-onnx/infer", IRIS).statusCode());
      server.terminate();
      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS));
      List<String> noisy = server.log().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
      assertEquals(List.of(), noisy, "warnings or errors on a clean start and stop");
    }
  }

  /**
   * ONNX Runtime 1.29.0's telemetry crashed the JVM (SIGSEGV) when the command line was longer than
   * about 3.9 KB; whatever the launch path, an ONNX model must serve.
   */
  @Test
  void aLongCommandLineDoesNotCrashOnnxRuntime() throws Exception {
    String padding = "-Dpadding=" + "x".repeat(6_000);
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"), padding)) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> answer = server.post("/v2/models/iris-onnx/infer", IRIS);
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(server.process().isAlive(), server.log());
    }
  }
}
