package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.dev.GrpcCall;
import io.quiver.support.ServerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * REST and gRPC on the one HTTP port, as Knative routes a revision (HTTP/1.1 and h2c on one port):
 * the packaged server with {@code QUARKUS_GRPC_SERVER_USE_SEPARATE_SERVER=false}.
 */
class OnePortIT {
  private static final String IRIS_REST =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String IRIS_GRPC =
      "{\"model_name\":\"iris-onnx\",\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[\"1\",\"4\"],\"contents\":{\"fp32_contents\":[6.8,2.8,4.8,1.4]}}]}";

  @Test
  void restAndGrpcAnswerOnTheHttpPort() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models", "QUARKUS_GRPC_SERVER_USE_SEPARATE_SERVER", "false"))) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> rest = server.post("/v2/models/iris-onnx/infer", IRIS_REST);
      assertEquals(200, rest.statusCode(), rest.body());

      String http = "localhost:" + server.httpPort;
      assertTrue(GrpcCall.call(http, "ServerLive", "{}").contains("\"live\": true"));
      String answer = GrpcCall.call(http, "ModelInfer", IRIS_GRPC);
      assertTrue(answer.contains("\"model_name\": \"iris-onnx\""), answer);
      assertEquals(rest.body().contains("\"datatype\":\"FP32\""), answer.contains("\"datatype\": \"FP32\""), answer);

      // nothing listens on the separate gRPC port
      assertThrows(RuntimeException.class, () -> GrpcCall.call("localhost:" + server.grpcPort, "ServerLive", "{}"));
    }
  }
}
