package io.quiver.protocol.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferParameter;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.protocol.grpc.api.ModelMetadataRequest;
import io.quiver.protocol.grpc.api.ModelMetadataResponse;
import io.quiver.protocol.grpc.api.ModelReadyRequest;
import io.quiver.protocol.grpc.api.ServerLiveRequest;
import io.quiver.protocol.grpc.api.ServerMetadataRequest;
import io.quiver.protocol.grpc.api.ServerReadyRequest;
import io.quiver.support.Expected;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The Open Inference Protocol over gRPC, through a real gRPC client on the server's gRPC port. */
@QuarkusTest
class GrpcTest {
  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void healthAndMetadata() {
    assertTrue(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    var server = grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("quiver", server.getName());
    assertTrue(server.getExtensionsList().contains("model_repository_extension"));
    assertTrue(grpc.modelReady(ModelReadyRequest.newBuilder().setName("iris-onnx").build()).getReady());
    assertFalse(grpc.modelReady(ModelReadyRequest.newBuilder().setName("corrupt-onnx").build()).getReady());
    assertTrue(grpc.modelReady(ModelReadyRequest.newBuilder().setName("xgb-formats").setVersion("2").build()).getReady());

    ModelMetadataResponse metadata =
        grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("iris-onnx").build());
    assertEquals("onnxruntime_onnx", metadata.getPlatform());
    assertEquals("input-0", metadata.getInputs(0).getName());
    assertEquals("FP32", metadata.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 4L), metadata.getInputs(0).getShapeList());
    assertEquals(List.of("label", "probabilities"), metadata.getOutputsList().stream().map(o -> o.getName()).toList());
    assertEquals(
        List.of("1", "2", "3"),
        grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("xgb-formats").build()).getVersionsList());
  }

  @Test
  void typedContentsAreAnsweredInTypedContents() {
    Expected expected = Expected.of("iris-xgboost");
    ModelInferResponse response = grpc.modelInfer(typedRequest("iris-xgboost", expected).setId("g-1").build());
    assertEquals("iris-xgboost", response.getModelName());
    assertEquals("g-1", response.getId());
    assertEquals(0, response.getRawOutputContentsCount());
    ModelInferResponse.InferOutputTensor output = response.getOutputs(0);
    assertEquals("output-0", output.getName());
    assertEquals("FP32", output.getDatatype());
    assertEquals(List.of(6L, 3L), output.getShapeList());
    JsonNode want = expected.output("output-0").get("data");
    for (int i = 0; i < want.size(); i++) {
      Expected.assertClose(want.get(i).asDouble(), output.getContents().getFp32Contents(i), "output-0[" + i + "]");
    }
  }

  @Test
  void rawContentsAreAnsweredInRawContents() {
    Expected expected = Expected.of("iris-onnx");
    JsonNode input = expected.input("input-0");
    ByteBuffer raw = ByteBuffer.allocate(input.get("data").size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    input.get("data").forEach(v -> raw.putFloat((float) v.asDouble()));
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("iris-onnx")
            .setId("raw-1")
            .addInputs(InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32").addShape(6).addShape(4))
            .addRawInputContents(ByteString.copyFrom(raw.flip()))
            .build();
    ModelInferResponse response = grpc.modelInfer(request);
    assertEquals(2, response.getRawOutputContentsCount());
    assertEquals("label", response.getOutputs(0).getName());
    assertEquals(48, response.getOutputs(0).getParametersOrThrow("binary_data_size").getInt64Param());
    ByteBuffer labels = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    JsonNode wantLabels = expected.output("label").get("data");
    for (int i = 0; i < wantLabels.size(); i++) {
      assertEquals(wantLabels.get(i).asLong(), labels.getLong(), "label[" + i + "]");
    }
    ByteBuffer probabilities = response.getRawOutputContents(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    JsonNode wantProbabilities = expected.output("probabilities").get("data");
    for (int i = 0; i < wantProbabilities.size(); i++) {
      Expected.assertClose(wantProbabilities.get(i).asDouble(), probabilities.getFloat(), "probabilities[" + i + "]");
    }
  }

  @Test
  void everyDatatypeOfTheOnnxFixtures() {
    Expected expected = Expected.of("all-types");
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("all-types");
    ByteBuffer fp16 = null;
    for (JsonNode input : expected.inputs()) {
      String datatype = input.get("datatype").asText();
      InferInputTensor.Builder tensor = InferInputTensor.newBuilder().setName(input.get("name").asText()).setDatatype(datatype);
      input.get("shape").forEach(d -> tensor.addShape(d.asLong()));
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (JsonNode v : input.get("data")) {
        switch (datatype) {
          case "BOOL" -> contents.addBoolContents(v.asBoolean());
          case "INT8", "INT16", "INT32" -> contents.addIntContents(v.asInt());
          case "INT64" -> contents.addInt64Contents(v.asLong());
          case "UINT8" -> contents.addUintContents(v.asInt());
          case "FP32" -> contents.addFp32Contents((float) v.asDouble());
          case "FP64" -> contents.addFp64Contents(v.asDouble());
          case "BYTES" -> contents.addBytesContents(ByteString.copyFromUtf8(v.asText()));
          case "FP16" -> {}
          default -> throw new AssertionError(datatype);
        }
      }
      request.addInputs(tensor.setContents(contents));
    }
    // FP16 has no typed field: a request with FP16 inputs must go raw, so it is rejected typed...
    StatusRuntimeException typed = assertThrows(StatusRuntimeException.class, () -> grpc.modelInfer(request.build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, typed.getStatus().getCode());
    assertTrue(typed.getStatus().getDescription().contains("Input 'in_fp16' is FP16, which typed contents cannot carry"));

    // ...and answered raw: every input as little-endian bytes, every output back the same way.
    ModelInferRequest.Builder raw = ModelInferRequest.newBuilder().setModelName("all-types");
    for (JsonNode input : expected.inputs()) {
      InferInputTensor.Builder tensor =
          InferInputTensor.newBuilder().setName(input.get("name").asText()).setDatatype(input.get("datatype").asText());
      input.get("shape").forEach(d -> tensor.addShape(d.asLong()));
      raw.addInputs(tensor).addRawInputContents(RawTensors.encode(input.get("datatype").asText(), input.get("data")));
    }
    ModelInferResponse response = grpc.modelInfer(raw.build());
    assertEquals(expected.outputs().size(), response.getRawOutputContentsCount());
    for (int i = 0; i < response.getOutputsCount(); i++) {
      ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
      JsonNode want = expected.output(output.getName());
      assertEquals(want.get("datatype").asText(), output.getDatatype());
      Expected.assertValues(
          want.get("data"),
          RawTensors.decode(output.getDatatype(), response.getRawOutputContents(i)),
          output.getName());
    }
  }

  @Test
  void parametersAndRequestedOutputs() {
    Expected expected = Expected.of("iris-onnx");
    ModelInferRequest request =
        typedRequest("iris-onnx", expected)
            .putParameters("tenant", InferParameter.newBuilder().setStringParam("blue").build())
            .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
            .build();
    ModelInferResponse response = grpc.modelInfer(request);
    assertEquals("blue", response.getParametersOrThrow("tenant").getStringParam());
    assertEquals(1, response.getOutputsCount());
    assertEquals("label", response.getOutputs(0).getName());
    JsonNode want = expected.output("label").get("data");
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i).asLong(), response.getOutputs(0).getContents().getInt64Contents(i));
    }
  }

  @Test
  void errorsMapToGrpcStatuses() {
    Expected expected = Expected.of("iris-onnx");
    assertStatus(Status.Code.NOT_FOUND, "Model with name nosuch does not exist.",
        () -> grpc.modelInfer(typedRequest("nosuch", expected).build()));
    assertStatus(Status.Code.NOT_FOUND, "does not exist",
        () -> grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("nosuch").build()));
    assertStatus(Status.Code.NOT_FOUND, "does not exist",
        () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("nosuch").build()));
    assertStatus(Status.Code.UNAVAILABLE, "Model with name corrupt-onnx is not ready",
        () -> grpc.modelInfer(typedRequest("corrupt-onnx", expected).build()));
    ModelInferRequest wrongShape =
        ModelInferRequest.newBuilder()
            .setModelName("iris-onnx")
            .addInputs(
                InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32").addShape(3).addShape(4)
                    .setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f))))
            .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "shape [3,4]", () -> grpc.modelInfer(wrongShape));
    ModelInferRequest wrongType = wrongShape.toBuilder()
        .setInputs(0, wrongShape.getInputs(0).toBuilder().setDatatype("FP64").clearShape().addShape(2).addShape(4)
            .setContents(InferTensorContents.newBuilder().addAllFp64Contents(List.of(1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d))))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "must be FP32, got FP64", () -> grpc.modelInfer(wrongType));
    ModelInferRequest rawMismatch = wrongShape.toBuilder().addRawInputContents(ByteString.copyFrom(new byte[3])).build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "holds 12 FP32 elements (48 bytes), got 3 bytes", () -> grpc.modelInfer(rawMismatch));
    assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
  }

  @Test
  void impossibleShapesAreRefusedBeforeAnythingIsAllocated() {
    ModelInferRequest bytes =
        ModelInferRequest.newBuilder()
            .setModelName("all-types")
            .addInputs(InferInputTensor.newBuilder().setName("in_bytes").setDatatype("BYTES").addShape(2147483647))
            .addRawInputContents(ByteString.EMPTY)
            .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "BYTES elements need at least", () -> grpc.modelInfer(bytes));
    ModelInferRequest overflow =
        ModelInferRequest.newBuilder()
            .setModelName("iris-onnx")
            .addInputs(
                InferInputTensor.newBuilder()
                    .setName("input-0")
                    .setDatatype("FP32")
                    .addShape(2147483647)
                    .addShape(2147483647)
                    .addShape(2147483647)
                    .setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
            .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "more elements than any tensor can hold", () -> grpc.modelInfer(overflow));
  }

  @Test
  void aMessageThatIsNotProtobufIsAnInvalidArgument() {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    MethodDescriptor.Marshaller<byte[]> bytes =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(java.io.InputStream stream) {
            try {
              return stream.readAllBytes();
            } catch (java.io.IOException e) {
              throw new IllegalStateException(e);
            }
          }
        };
    MethodDescriptor<byte[], byte[]> modelInfer =
        MethodDescriptor.<byte[], byte[]>newBuilder(bytes, bytes)
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("inference.GRPCInferenceService/ModelInfer")
            .build();
    try {
      assertStatus(
          Status.Code.INVALID_ARGUMENT,
          "The ModelInfer request message could not be parsed",
          () -> ClientCalls.blockingUnaryCall(channel, modelInfer, io.grpc.CallOptions.DEFAULT, new byte[] {(byte) 0xFF, 0x7F, 0x01}));
      assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void theReadmesCommandLineClientCallsTheService() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    String answer =
        io.quiver.dev.GrpcCall.call(
            "localhost:" + port,
            "ModelInfer",
            "{\"model_name\":\"iris-onnx\",\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[1,4],"
                + "\"contents\":{\"fp32_contents\":[6.8,2.8,4.8,1.4]}}]}");
    JsonNode json = Expected.JSON.readTree(answer);
    assertEquals("iris-onnx", json.get("model_name").asText());
    assertEquals(Expected.of("iris-onnx").output("label").get("data").get(0).asLong(), json.at("/outputs/0/contents/int64_contents/0").asLong());
  }

  @Test
  void reflectionListsTheServiceForToolsLikeGrpcurl() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    public void onNext(ServerReflectionResponse response) {
                      answer.complete(response);
                    }

                    public void onError(Throwable error) {
                      answer.completeExceptionally(error);
                    }

                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services =
          answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
              .map(service -> service.getName())
              .toList();
      requests.onCompleted();
      assertTrue(services.contains("inference.GRPCInferenceService"), services.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void messagesAboveKServesEightMebibytesAreTakenUpToTheLimit() {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().maxInboundMessageSize(128 << 20).build();
    try {
      var stub = io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.newBlockingStub(channel);
      int rows = (20 << 20) / 16; // 20 MiB of FP32 rows of 4 features
      ModelInferResponse response = stub.modelInfer(rawIrisRequest(rows));
      assertEquals(List.of((long) rows), response.getOutputs(0).getShapeList());
      StatusRuntimeException tooLarge =
          assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(rawIrisRequest((65 << 20) / 16)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getStatus().getCode());
      assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    } finally {
      channel.shutdownNow();
    }
  }

  private static ModelInferRequest rawIrisRequest(int rows) {
    ByteBuffer raw = ByteBuffer.allocate(rows * 16).order(ByteOrder.LITTLE_ENDIAN);
    while (raw.hasRemaining()) {
      raw.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("iris-onnx")
        .addInputs(InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32").addShape(rows).addShape(4))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
        .addRawInputContents(ByteString.copyFrom(raw.flip()))
        .build();
  }

  static ModelInferRequest.Builder typedRequest(String model, Expected expected) {
    JsonNode input = expected.input("input-0");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    input.get("data").forEach(v -> contents.addFp32Contents((float) v.asDouble()));
    InferInputTensor.Builder tensor = InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32");
    input.get("shape").forEach(d -> tensor.addShape(d.asLong()));
    return ModelInferRequest.newBuilder().setModelName(model).addInputs(tensor.setContents(contents));
  }

  private static void assertStatus(Status.Code code, String containing, Runnable call) {
    StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, error.getStatus().getCode(), error.getStatus().toString());
    assertTrue(error.getStatus().getDescription().contains(containing), error.getStatus().getDescription());
  }
}
