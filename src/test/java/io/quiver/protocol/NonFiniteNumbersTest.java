package io.quiver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Missing values as Python's json.dumps writes them (bare NaN, Infinity, -Infinity) reach the model
 * as IEEE values on every JSON route; outputs that JSON cannot hold are written as null, as KServe's
 * servers (orjson) write them.
 */
@QuarkusTest
class NonFiniteNumbersTest {
  private static final Expected HIST = Expected.of("sklearn-hist-gradient-boosting-classifier");
  private static final Expected NON_FINITE = Expected.of("non-finite");

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  /** The fixture's rows as Python writes them: NaN as a bare literal. */
  private static String rows(Expected expected) {
    return expected.instances("input-0").toString().replace("\"NaN\"", "NaN");
  }

  @Test
  void v1RowsWithBareNaNAreRoutedAsMissingValues() {
    String body = "{\"instances\": " + rows(HIST) + "}";
    assertTrue(body.contains("NaN"), body);
    Reply reply = Rest.post("/v1/models/sklearn-hist:predict", body);
    assertEquals(200, reply.status(), reply.text());
    Expected.assertValues(HIST.output("output-0").get("data"), reply.json().get("predictions"), "predictions");
  }

  @Test
  void v2DataWithBareNaNAndNullIsAccepted() {
    JsonNode input = HIST.input("input-0");
    String data = input.get("data").toString().replace("\"NaN\"", "NaN");
    String body =
        "{\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP64\",\"shape\":%s,\"data\":%s}]}"
            .formatted(input.get("shape"), data);
    Reply reply = Rest.post("/v2/models/sklearn-hist/infer", body);
    assertEquals(200, reply.status(), reply.text());
    Expected.assertTensor(HIST.output("output-0"), reply.json().get("outputs").get(0));

    Reply nulls = Rest.post("/v2/models/sklearn-hist/infer", body.replaceFirst("NaN", "null"));
    assertEquals(200, nulls.status(), nulls.text());
    Expected.assertTensor(HIST.output("output-0"), nulls.json().get("outputs").get(0));
  }

  @Test
  void mlflowDataFramesWithBareNaNAreAccepted() {
    String body = "{\"dataframe_split\": {\"data\": " + rows(HIST) + "}}";
    Reply reply = Rest.post("/models/sklearn-hist/invocations", body);
    assertEquals(200, reply.status(), reply.text());
    Expected.assertValues(HIST.output("output-0").get("data"), reply.json().get("predictions"), "predictions");
  }

  @Test
  void infinitiesAreAcceptedToo() {
    String body =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[Infinity,-Infinity,NaN,1.0]}]}";
    Reply reply = Rest.post("/v2/models/non-finite/infer", body);
    assertEquals(200, reply.status(), reply.text());
  }

  @Test
  void nonFiniteOutputsAreWrittenAsNullAsKServeWritesThem() {
    String data = NON_FINITE.input("x").get("data").toString().replace("\"", "");
    String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,4],\"data\":" + data + "}]}";
    Reply reply = Rest.post("/v2/models/non-finite/infer", body);
    assertEquals(200, reply.status(), reply.text());
    for (JsonNode output : reply.json().get("outputs")) {
      JsonNode want = NON_FINITE.output(output.get("name").asText()).get("data");
      JsonNode got = output.get("data");
      for (int i = 0; i < want.size(); i++) {
        double expected = want.get(i).asDouble();
        String what = output.get("name").asText() + "[" + i + "]";
        if (Double.isFinite(expected)) {
          Expected.assertClose(expected, got.get(i).asDouble(), what);
        } else {
          assertTrue(got.get(i).isNull(), what + " should be null, got " + got.get(i));
        }
      }
    }
    Reply v1 = Rest.post("/v1/models/non-finite:predict", "{\"instances\": [[0.0, -1.0, 1.0, 2.0]]}");
    assertEquals(200, v1.status(), v1.text());
    assertTrue(v1.text().contains("null"), v1.text());
  }

  @Test
  void grpcCarriesNonFiniteFloatsAsTheyAre() {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    List<Float> values = new ArrayList<>();
    NON_FINITE.input("x").get("data").forEach(value -> values.add((float) value.asDouble()));
    contents.addAllFp32Contents(values);
    ModelInferResponse response =
        grpc.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("non-finite")
                .addInputs(
                    InferInputTensor.newBuilder()
                        .setName("x")
                        .setDatatype("FP32")
                        .addShape(2)
                        .addShape(4)
                        .setContents(contents))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("log"))
                .build());
    List<Float> log = response.getOutputs(0).getContents().getFp32ContentsList();
    JsonNode want = NON_FINITE.output("log").get("data");
    for (int i = 0; i < want.size(); i++) {
      double expected = want.get(i).asDouble();
      assertTrue(
          Double.isNaN(expected) ? Float.isNaN(log.get(i)) : expected == log.get(i) || Math.abs(expected - log.get(i)) < 1e-6,
          "log[" + i + "]: " + expected + " vs " + log.get(i));
    }
  }
}
