package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.ServerProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KServe's layout: the storage initializer leaves one model's files directly in /mnt/models, and
 * the runtime is told the InferenceService's name. Quiver serves that folder as that one model.
 */
class SingleModelFolderIT {

  @Test
  void theRepositoryFolderIsServedAsTheNamedModel() throws Exception {
    Map<String, String> kserve = Map.of("QUIVER_MODEL_REPOSITORY", "examples/models/iris-xgboost", "QUIVER_MODEL_NAME", "flowers");
    try (ServerProcess server = ServerProcess.start(kserve)) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> predicted = server.post("/v1/models/flowers:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}");
      assertEquals(200, predicted.statusCode(), predicted.body());
      assertTrue(predicted.body().startsWith("{\"predictions\":[["), predicted.body());
      assertEquals("{\"models\":[\"flowers\"]}", server.get("/v1/models").body());
      assertEquals(404, server.get("/v2/models/iris-xgboost").statusCode());
    }
  }

  /** KServe's Triton format: /mnt/models is a repository of models, served under their own names. */
  @Test
  void aTritonRepositoryIsServedAsARepositoryWhateverTheName() throws Exception {
    Path repository = Files.createTempDirectory("quiver-kserve-triton");
    Files.createDirectories(repository.resolve("iris/1"));
    Files.copy(Path.of("examples/models/iris-onnx/model.onnx"), repository.resolve("iris/1/model.onnx"));
    Files.writeString(repository.resolve("iris/config.pbtxt"), "platform: \"onnxruntime_onnx\"\n");
    Map<String, String> kserve = Map.of("QUIVER_MODEL_REPOSITORY", repository.toString(), "QUIVER_MODEL_NAME", "my-triton-service");
    try (ServerProcess server = ServerProcess.start(kserve)) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> answer =
          server.post("/v2/models/iris/infer", "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}");
      assertEquals(200, answer.statusCode(), answer.body());
    }
  }
}
