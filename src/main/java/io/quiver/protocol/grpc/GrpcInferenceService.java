package io.quiver.protocol.grpc;

import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.InferenceResponse;
import io.quiver.core.InferenceService;
import io.quiver.core.ServerLifecycle;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.Tracer;
import io.quiver.observability.PayloadLogger;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.protocol.grpc.api.MutinyGRPCInferenceServiceGrpc;
import io.quiver.protocol.grpc.api.InferParameter;
import io.quiver.protocol.grpc.api.ModelConfigRequest;
import io.quiver.protocol.grpc.api.ModelConfigResponse;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.protocol.grpc.api.ModelMetadataRequest;
import io.quiver.protocol.grpc.api.ModelMetadataResponse;
import io.quiver.protocol.grpc.api.ModelReadyRequest;
import io.quiver.protocol.grpc.api.ModelReadyResponse;
import io.quiver.protocol.grpc.api.ModelStatisticsRequest;
import io.quiver.protocol.grpc.api.ModelStatisticsResponse;
import io.quiver.protocol.grpc.api.RepositoryModelLoadRequest;
import io.quiver.protocol.grpc.api.RepositoryModelLoadResponse;
import io.quiver.protocol.grpc.api.RepositoryModelUnloadRequest;
import io.quiver.protocol.grpc.api.RepositoryModelUnloadResponse;
import io.quiver.protocol.grpc.api.ServerLiveRequest;
import io.quiver.protocol.grpc.api.ServerLiveResponse;
import io.quiver.protocol.grpc.api.ServerMetadataRequest;
import io.quiver.protocol.grpc.api.ServerMetadataResponse;
import io.quiver.protocol.grpc.api.ServerReadyRequest;
import io.quiver.protocol.grpc.api.ServerReadyResponse;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}, KServe's proto with
 * its repository RPCs). A request that sends {@code raw_input_contents} is answered in {@code
 * raw_output_contents}, one that sends typed {@code contents} in typed contents, as KServe does.
 */
@GrpcService
@RegisterInterceptor(TraceHeaders.class)
public class GrpcInferenceService extends MutinyGRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  /** Requests larger than this are decoded on a virtual thread rather than the event loop. */
  private static final int DECODE_ON_EVENT_LOOP_MAX_BYTES = 64 * 1024;

  /** Repository calls and large requests block; they run here, never on the gRPC event loop. */
  private static final Executor VIRTUAL_THREADS = Executors.newVirtualThreadPerTaskExecutor();

  private static final String PROTOBUF = "application/x-protobuf";

  private final InferenceService inference;
  private final ModelRegistry registry;
  private final ServerLifecycle server;
  private final PayloadLogger logger;
  private final Tracer tracer;

  GrpcInferenceService(
      InferenceService inference,
      ModelRegistry registry,
      ServerLifecycle server,
      PayloadLogger logger,
      Tracer tracer) {
    this.inference = inference;
    this.registry = registry;
    this.server = server;
    this.logger = logger;
    this.tracer = tracer;
  }

  /** The service, answering requests it cannot parse with INVALID_ARGUMENT rather than UNKNOWN. */
  @Override
  public ServerServiceDefinition bindService() {
    return InvalidMessages.refusedAsInvalid(super.bindService());
  }

  @Override
  public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
    return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(server.isLive()).build());
  }

  @Override
  public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
    return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(server.isReady()).build());
  }

  @Override
  public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
    return Uni.createFrom()
        .item(
            ServerMetadataResponse.newBuilder()
                .setName(server.name())
                .setVersion(server.version())
                .addAllExtensions(ServerLifecycle.EXTENSIONS)
                .build());
  }

  @Override
  public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
    return inline(
        () -> {
          ModelVersion version = registry.resolve(request.getName(), request.getVersion());
          return ModelReadyResponse.newBuilder().setReady(version.isReady()).build();
        });
  }

  @Override
  public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
    return inline(
        () -> {
          ModelMetadata metadata = registry.ready(request.getName(), request.getVersion()).metadata();
          return ModelMetadataResponse.newBuilder()
              .setName(request.getName())
              .addAllVersions(registry.model(request.getName()).versionLabels())
              .setPlatform(metadata.platform())
              .addAllInputs(tensorMetadata(metadata.inputs()))
              .addAllOutputs(tensorMetadata(metadata.outputs()))
              .build();
        });
  }

  private static List<ModelMetadataResponse.TensorMetadata> tensorMetadata(List<TensorSpec> specs) {
    List<ModelMetadataResponse.TensorMetadata> tensors = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      ModelMetadataResponse.TensorMetadata.Builder tensor =
          ModelMetadataResponse.TensorMetadata.newBuilder()
              .setName(spec.name())
              .setDatatype(spec.datatype().name());
      for (long dim : spec.shape()) {
        tensor.addShape(dim);
      }
      tensors.add(tensor.build());
    }
    return tensors;
  }

  @Override
  public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
    Trace trace = tracer.start(Protocol.GRPC, TraceHeaders.TRACEPARENT.get(), TraceHeaders.TRACESTATE.get());
    PayloadLogger.Call call =
        logger.start(
            trace,
            request.getModelName(),
            emptyToNull(request.getModelVersion()),
            emptyToNull(request.getId()),
            TraceHeaders.CALLER.get(),
            () -> ByteBuffer.wrap(request.toByteArray()),
            PROTOBUF);
    return answer(trace, request)
        .onItem()
        .invoke(response -> call.answered(() -> ByteBuffer.wrap(response.toByteArray()), PROTOBUF))
        .onFailure()
        .invoke(
            error ->
                call.failed(
                    InferenceException.httpStatus(error),
                    () -> StandardCharsets.UTF_8.encode(String.valueOf(error.getMessage())),
                    "text/plain"))
        .onFailure()
        .transform(GrpcErrors::toStatus);
  }

  private Uni<ModelInferResponse> answer(Trace trace, ModelInferRequest request) {
    Uni<ModelInferResponse> answer =
        Uni.createFrom()
            .emitter(
                emitter ->
                    inference.submit(
                        trace,
                        request.getModelName(),
                        emptyToNull(request.getModelVersion()),
                        metadata -> decode(request),
                        (response, failure) -> {
                          if (failure != null) {
                            emitter.fail(failure);
                            return;
                          }
                          try {
                            emitter.complete(encode(request, response));
                          } catch (RuntimeException e) {
                            emitter.fail(e);
                          }
                        }));
    return request.getSerializedSize() > DECODE_ON_EVENT_LOOP_MAX_BYTES
        ? answer.runSubscriptionOn(VIRTUAL_THREADS)
        : answer;
  }

  /** Triton's statistics extension. */
  @Override
  public Uni<ModelStatisticsResponse> modelStatistics(ModelStatisticsRequest request) {
    return inline(
        () -> {
          ModelStatisticsResponse.Builder response = ModelStatisticsResponse.newBuilder();
          for (ModelVersion version : registry.versions(request.getName(), request.getVersion())) {
            response.addModelStats(GrpcStatistics.of(version));
          }
          return response.build();
        });
  }

  @Override
  public Uni<ModelConfigResponse> modelConfig(ModelConfigRequest request) {
    return inline(
        () ->
            ModelConfigResponse.newBuilder()
                .setConfig(registry.ready(request.getName(), request.getVersion()).config())
                .build());
  }

  private static String emptyToNull(String text) {
    return text.isEmpty() ? null : text;
  }

  @Override
  public Uni<RepositoryModelLoadResponse> repositoryModelLoad(RepositoryModelLoadRequest request) {
    return blocking(
        () -> {
          registry.load(request.getModelName());
          return RepositoryModelLoadResponse.newBuilder()
              .setModelName(request.getModelName())
              .setIsLoaded(true)
              .build();
        });
  }

  @Override
  public Uni<RepositoryModelUnloadResponse> repositoryModelUnload(
      RepositoryModelUnloadRequest request) {
    return blocking(
        () -> {
          registry.unload(request.getModelName());
          return RepositoryModelUnloadResponse.newBuilder()
              .setModelName(request.getModelName())
              .setIsUnloaded(true)
              .build();
        });
  }

  private static InferenceRequest decode(ModelInferRequest request) {
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw new InferenceException.InvalidInput(
          "raw_input_contents has %d entries for %d inputs; send one per input."
              .formatted(request.getRawInputContentsCount(), request.getInputsCount()));
    }
    List<Tensor> inputs = new ArrayList<>(request.getInputsCount());
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      DataType datatype = GrpcTensors.datatype(input.getName(), input.getDatatype());
      long[] shape = new long[input.getShapeCount()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = input.getShape(d);
      }
      inputs.add(
          raw
              ? GrpcTensors.fromRaw(input.getName(), datatype, shape, request.getRawInputContents(i))
              : GrpcTensors.fromContents(input.getName(), datatype, shape, input.getContents()));
    }
    List<RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
    for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
      outputs.add(new RequestedOutput(output.getName(), parameters(output.getParametersMap())));
    }
    return new InferenceRequest(
        emptyToNull(request.getId()),
        request.getModelName(),
        emptyToNull(request.getModelVersion()),
        inputs,
        outputs,
        parameters(request.getParametersMap()));
  }

  private static ModelInferResponse encode(ModelInferRequest request, InferenceResponse response) {
    boolean raw =
        request.getRawInputContentsCount() > 0
            || response.outputs().stream().anyMatch(t -> GrpcTensors.needsRaw(t.datatype()));
    ModelInferResponse.Builder encoded =
        ModelInferResponse.newBuilder()
            .setModelName(response.modelName())
            .setId(response.id())
            .putAllParameters(grpcParameters(response.parameters()));
    if (response.modelVersion() != null) {
      encoded.setModelVersion(response.modelVersion());
    }
    for (Tensor tensor : response.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder output =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(tensor.name())
              .setDatatype(tensor.datatype().name());
      for (long dim : tensor.shape()) {
        output.addShape(dim);
      }
      if (raw) {
        output.putParameters(
            "binary_data_size", InferParameter.newBuilder().setInt64Param(tensor.byteSize()).build());
        encoded.addRawOutputContents(GrpcTensors.toRaw(tensor));
      } else {
        output.setContents(GrpcTensors.toContents(tensor));
      }
      encoded.addOutputs(output);
    }
    return encoded.build();
  }

  private static Map<String, Object> parameters(Map<String, InferParameter> parameters) {
    if (parameters.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> converted = new LinkedHashMap<>();
    parameters.forEach(
        (key, value) ->
            converted.put(
                key,
                switch (value.getParameterChoiceCase()) {
                  case BOOL_PARAM -> value.getBoolParam();
                  case INT64_PARAM -> value.getInt64Param();
                  case STRING_PARAM -> value.getStringParam();
                  case PARAMETERCHOICE_NOT_SET -> "";
                }));
    return converted;
  }

  private static Map<String, InferParameter> grpcParameters(Map<String, Object> parameters) {
    Map<String, InferParameter> converted = new LinkedHashMap<>();
    parameters.forEach(
        (key, value) -> {
          InferParameter.Builder parameter = InferParameter.newBuilder();
          switch (value) {
            case Boolean flag -> parameter.setBoolParam(flag);
            case Number number when !(number instanceof Double || number instanceof Float) ->
                parameter.setInt64Param(number.longValue());
            default -> parameter.setStringParam(String.valueOf(value));
          }
          converted.put(key, parameter.build());
        });
    return converted;
  }

  private static <T> Uni<T> inline(Supplier<T> work) {
    return Uni.createFrom().item(work).onFailure().transform(GrpcErrors::toStatus);
  }

  private static <T> Uni<T> blocking(Supplier<T> work) {
    return Uni.createFrom()
        .item(work)
        .runSubscriptionOn(VIRTUAL_THREADS)
        .onFailure()
        .transform(GrpcErrors::toStatus);
  }
}
