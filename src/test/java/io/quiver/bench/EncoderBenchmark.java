package io.quiver.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import io.quiver.core.InferenceRequest;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.runtime.onnx.OnnxRuntimes;
import io.quiver.runtime.torchscript.TorchScriptRuntimes;
import io.quiver.support.ServerProcess;
import io.quiver.support.TestRepository;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A transformer encoder (4 layers, hidden size 256, 4 heads, sequence 128, random weights, made by
 * torch) as ONNX and as TorchScript: each called in-process through Quiver's runtime and through
 * gRPC ModelInfer on the packaged server (token ids as raw INT64 contents), at batch 1 and 32,
 * one caller. The models are too large to keep in the repository; {@code
 * examples/make_models.py encoder} writes them under {@code target/benchmark-models}. Prints
 * Markdown.
 *
 * <p>Run: {@code /usr/bin/python3 examples/make_models.py encoder && ./mvnw -B -DskipTests
 * package exec:exec@encoder-benchmark}.
 */
public final class EncoderBenchmark {
  private static final Path MODELS = Path.of("target/benchmark-models");
  private static final int SEQUENCE = 128;
  private static final int[] BATCHES = {1, 32};
  private static final String TORCHSCRIPT_CONFIG =
      """
      platform: "pytorch_libtorch"
      max_batch_size: 32
      input [ { name: "input_ids" data_type: TYPE_INT64 dims: [ 128 ] } ]
      output [ { name: "logits" data_type: TYPE_FP32 dims: [ 2 ] } ]
      """;

  private record Point(String target, int batch, Result result) {}

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    if (!Files.isRegularFile(MODELS.resolve("encoder-onnx/model.onnx"))) {
      System.err.println("Make the models first: /usr/bin/python3 examples/make_models.py encoder");
      System.exit(1);
    }
    Path repository = Files.createTempDirectory("quiver-bench-encoder");
    TestRepository.copyTree(MODELS.resolve("encoder-onnx"), repository.resolve("encoder-onnx"));
    TestRepository.copyTree(MODELS.resolve("encoder-torchscript"), repository.resolve("encoder-torchscript"));
    Files.writeString(repository.resolve("encoder-torchscript/config.pbtxt"), TORCHSCRIPT_CONFIG);
    ModelConfig config = TextFormat.parse(TORCHSCRIPT_CONFIG, ModelConfig.class);

    List<Point> results = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", repository.toString()))) {
      server.awaitReady(Duration.ofSeconds(120));
      for (int batch : BATCHES) {
        results.add(grpc("ONNX, gRPC ModelInfer", server, "encoder-onnx", batch, seconds));
        results.add(grpc("TorchScript, gRPC ModelInfer", server, "encoder-torchscript", batch, seconds));
      }
    }
    try (LoadedModel onnx = OnnxRuntimes.cpu().load(new ModelSource("encoder-onnx", null, repository.resolve("encoder-onnx"), ModelSettings.NONE));
        LoadedModel torch =
            TorchScriptRuntimes.standalone()
                .load(new ModelSource("encoder-torchscript", "1", repository.resolve("encoder-torchscript/1"), ModelSettings.NONE, 1, config))) {
      for (int batch : BATCHES) {
        results.add(inProcess("ONNX, in-process", onnx, batch, seconds));
        results.add(inProcess("TorchScript, in-process", torch, batch, seconds));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s, %.0f s per point, one caller.%n%n"
            .formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds));
    out.append("| target | batch | sequences/s | p50 µs per request | p99 µs per request |%n|---|---:|---:|---:|---:|%n".formatted());
    for (Point point : results) {
      out.append(
          "| %s | %d | %,.0f | %.0f | %.0f |%n"
              .formatted(point.target(), point.batch(), point.result().requestsPerSecond() * point.batch(),
                  point.result().p50Micros(), point.result().p99Micros()));
    }
    System.out.println(out);
  }

  private static long[] tokens(int batch) {
    Random random = new Random(batch);
    long[] ids = new long[batch * SEQUENCE];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(8192);
    }
    return ids;
  }

  private static ByteBuffer bytes(long[] ids) {
    ByteBuffer buffer = ByteBuffer.allocate(ids.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asLongBuffer().put(ids);
    return buffer;
  }

  private static Point inProcess(String name, LoadedModel model, int batch, double seconds) throws InterruptedException {
    String input = model.metadata().inputs().getFirst().name();
    Tensor ids = Tensor.of(input, DataType.INT64, new long[] {batch, SEQUENCE}, bytes(tokens(batch)));
    List<InferenceRequest> request = List.of(new InferenceRequest("r", "m", null, List.of(ids), List.of(), Map.of()));
    Result result =
        LoadGenerator.runBlocking(
            name + ", batch " + batch,
            () -> {
              if (!(model.infer(request).getFirst() instanceof InferenceResult.Outputs)) {
                throw new IllegalStateException(name + " failed");
              }
            },
            1, Math.max(1, seconds / 3), seconds);
    System.err.println(result.row());
    return new Point(name, batch, result);
  }

  private static Point grpc(String name, ServerProcess server, String model, int batch, double seconds) throws InterruptedException {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder().setName("input_ids").setDatatype("INT64").addShape(batch).addShape(SEQUENCE))
            .addRawInputContents(ByteString.copyFrom(bytes(tokens(batch))))
            .build();
    try (GrpcTarget<?> target = GrpcTarget.modelInfer(server.grpcPort, request)) {
      Result result = LoadGenerator.run(target, 1, Math.max(1, seconds / 3), seconds);
      System.err.println(result.row());
      return new Point(name, batch, result);
    }
  }
}
