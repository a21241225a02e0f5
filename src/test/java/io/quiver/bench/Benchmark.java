package io.quiver.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.support.EmbeddedKafka;
import io.quiver.support.ServerProcess;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, in one run on one machine: the in-process ONNX Runtime call on the iris ONNX model
 * (the floor), then the packaged server's v2 REST infer, v1 predict and gRPC ModelInfer on the same
 * model at several concurrencies; the Kafka event path through a local broker; the latency payload
 * logging adds; the server's start-to-ready time and its memory. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@benchmark} (seconds per point:
 * {@code -Dbench.seconds=10}; JVM options for the server: {@code -Dbench.serverJvm="-Xmx256m"}).
 */
public final class Benchmark {
  private static final int[] CONCURRENCY = {1, 16, 64};
  private static final double JIT_WARMUP_SECONDS = 5;
  /** Read before the benchmark pins itself to one CPU. */
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final float[] ROW = {6.8f, 2.8f, 4.8f, 1.4f};
  private static final String V2_BODY =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String V1_BODY = "{\"instances\":[[6.8,2.8,4.8,1.4]]}";

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    double warmup = Math.max(1, seconds / 3);
    String[] serverJvmOptions = System.getProperty("bench.serverJvm", "").trim().split("\\s+");
    String[] jvm = serverJvmOptions[0].isEmpty() ? new String[0] : serverJvmOptions;
    List<Result> inProcess = inProcess(warmup, seconds);
    StartUp startUp = StartUp.measure(jvm);
    List<Result> results = new ArrayList<>();
    List<Result> kafkaResults = new ArrayList<>();
    List<Result> sameCpu = new ArrayList<>();
    List<Result> logged = new ArrayList<>();
    List<Result> loggedSameCpu = new ArrayList<>();
    long rssUnderLoad;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(4, "inference-requests", "inference-responses");
      kafka.createTopics(1, "inference-requests-dlq", "inference-log");
      Map<String, String> eventPath =
          Map.of(
              "QUIVER_MODEL_REPOSITORY", "examples/models",
              "QUIVER_KAFKA_ENABLED", "true",
              "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      Vertx vertx = Vertx.vertx();
      try {
        try (ServerProcess server = ServerProcess.start(eventPath, jvm);
            RssSampler sampler = new RssSampler(server.pid())) {
          server.awaitReady(Duration.ofSeconds(60));
          sampler.start();
          warmUp(vertx, server);
          for (int concurrency : CONCURRENCY) {
            for (LoadTarget target : targets(vertx, server, concurrency)) {
              results.add(measure(target, concurrency, warmup, seconds));
            }
          }
          try (KafkaLoad load = new KafkaLoad(kafka)) {
            load.flood(5_000);
            kafkaResults.add(report(load.oneAtATime(2_000)));
            kafkaResults.add(report(load.flood(20_000)));
          }
          logged.addAll(withPayloadLogging(vertx, kafka, jvm, false, warmup, seconds));
          // Client and server on one CPU: what the server's own code adds, without the cost of
          // waking a thread on the other CPU (tens of microseconds on virtual machines). The
          // benchmark stays pinned from here on.
          CpuAffinity.pin(0, ProcessHandle.current().pid(), server.pid());
          for (LoadTarget target : targets(vertx, server, 1)) {
            sameCpu.add(measure(target, 1, warmup, seconds));
          }
          sameCpu.add(measure(v2(vertx, server, 16, "v2 REST infer"), 16, warmup, seconds));
          rssUnderLoad = sampler.peakKb();
        }
        loggedSameCpu.addAll(withPayloadLogging(vertx, kafka, jvm, true, warmup, seconds));
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().join();
      }
    }
    System.out.println(
        report(inProcess, results, kafkaResults, logged, sameCpu, loggedSameCpu, startUp, rssUnderLoad, seconds));
  }

  /** Start-up of the default server (event path off): the median of three starts. */
  private record StartUp(long readyMs, long rssKb) {
    static StartUp measure(String[] jvm) throws InterruptedException {
      List<StartUp> starts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", "examples/models"), jvm)) {
          long ready = server.awaitReady(Duration.ofSeconds(60));
          Thread.sleep(1000);
          starts.add(new StartUp(ready, RssSampler.rssKb(server.pid())));
        }
      }
      starts.sort(java.util.Comparator.comparingLong(StartUp::readyMs));
      return starts.get(1);
    }
  }

  /** Lets the server's JIT compile every path before anything is measured. */
  private static void warmUp(Vertx vertx, ServerProcess server) throws InterruptedException {
    for (LoadTarget target : targets(vertx, server, 8)) {
      try (target) {
        LoadGenerator.run(target, 8, 0, JIT_WARMUP_SECONDS);
      }
    }
  }

  /** v2 REST on a second server that logs every payload (mode all) to the broker. */
  private static List<Result> withPayloadLogging(
      Vertx vertx, EmbeddedKafka kafka, String[] jvm, boolean pinned, double warmup, double seconds)
      throws Exception {
    Map<String, String> logging =
        Map.of(
            "QUIVER_MODEL_REPOSITORY", "examples/models",
            "QUIVER_LOGGER_MODE", "all",
            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    List<Result> results = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start(logging, jvm)) {
      server.awaitReady(Duration.ofSeconds(60));
      if (pinned) {
        CpuAffinity.pin(0, server.pid());
      }
      try (LoadTarget target = v2(vertx, server, 8, "v2 REST infer, payload logging on")) {
        LoadGenerator.run(target, 8, 0, JIT_WARMUP_SECONDS);
      }
      for (int concurrency : new int[] {1, 16}) {
        results.add(measure(v2(vertx, server, concurrency, "v2 REST infer, payload logging on"), concurrency, warmup, seconds));
      }
    }
    return results;
  }

  private static Result report(Result result) {
    System.err.println(result.row());
    return result;
  }

  private static LoadTarget v2(Vertx vertx, ServerProcess server, int concurrency, String name) {
    return new RestTarget(vertx, name, server.httpPort, "/v2/models/iris-onnx/infer", V2_BODY, concurrency);
  }

  private static List<LoadTarget> targets(Vertx vertx, ServerProcess server, int concurrency) {
    return List.of(
        new RestTarget(vertx, "HTTP floor: GET /v2/health/live", server.httpPort, "/v2/health/live", null, concurrency),
        v2(vertx, server, concurrency, "v2 REST infer"),
        new RestTarget(vertx, "v1 REST predict", server.httpPort, "/v1/models/iris-onnx:predict", V1_BODY, concurrency),
        GrpcTarget.serverLive(server.grpcPort),
        GrpcTarget.modelInfer(server.grpcPort, grpcRequest()));
  }

  private static Result measure(LoadTarget target, int concurrency, double warmup, double seconds)
      throws InterruptedException {
    try (target) {
      Result result = LoadGenerator.run(target, concurrency, warmup, seconds);
      System.err.println(result.row());
      return result;
    }
  }

  private static List<Result> inProcess(double warmup, double seconds) throws Exception {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    List<Result> results = new ArrayList<>();
    try (OrtSession session =
        environment.createSession("examples/models/iris-onnx/model.onnx", new OrtSession.SessionOptions())) {
      Runnable call = () -> runOnce(environment, session);
      for (int concurrency : CONCURRENCY) {
        Result result = LoadGenerator.runBlocking("in-process ONNX Runtime", call, concurrency, warmup, seconds);
        System.err.println(result.row());
        results.add(result);
      }
    }
    return results;
  }

  private static void runOnce(OrtEnvironment environment, OrtSession session) {
    try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(ROW), new long[] {1, 4});
        OrtSession.Result result = session.run(Map.of("input-0", input))) {
      if (result.size() != 2) {
        throw new IllegalStateException("expected two outputs");
      }
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelInferRequest grpcRequest() {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float value : ROW) {
      contents.addFp32Contents(value);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("iris-onnx")
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input-0")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(4)
                .setContents(contents))
        .build();
  }

  private static String report(
      List<Result> inProcess,
      List<Result> results,
      List<Result> kafka,
      List<Result> logged,
      List<Result> sameCpu,
      List<Result> loggedSameCpu,
      StartUp startUp,
      long rssUnderLoad,
      double seconds) {
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s, %.0f s per point after a %.0f s warm-up; client and server share the machine.%n%n"
            .formatted(
                LocalDate.now(), CORES, System.getProperty("java.version"), seconds, Math.max(1, seconds / 3)));
    Result floor = inProcess.getFirst();
    out.append("Client and server free to use both CPUs:%n%n".formatted());
    table(out, inProcess, results);
    out.append(
        "%nOverhead over the in-process call at concurrency 1 (p50): %s.%n%n"
            .formatted(overheads(floor, results.stream().filter(r -> r.concurrency() == 1).toList())));
    out.append("Through Kafka (the broker runs in the benchmark's process), request produced to answer read:%n%n".formatted());
    table(out, List.of(), kafka);
    out.append("%nWith payload logging of every request and response to Kafka (mode all), v2 REST on a second server:%n%n".formatted());
    table(out, List.of(), logged);
    addedByLogging(out, logged, results);
    out.append("%n%nClient and server pinned to one CPU:%n%n".formatted());
    table(out, List.of(floor), sameCpu);
    out.append(
        "%nOverhead over the in-process call at concurrency 1 (p50): %s.%n%n"
            .formatted(overheads(floor, sameCpu.stream().filter(r -> r.concurrency() == 1).toList())));
    out.append("Payload logging on, pinned the same way (the broker too shares that CPU):%n%n".formatted());
    table(out, List.of(), loggedSameCpu);
    addedByLogging(out, loggedSameCpu, sameCpu);
    String options = System.getProperty("bench.serverJvm", "");
    out.append(
        "%n%nServer (JVM options: %s): start to ready %d ms and RSS %d MiB after start (median of three starts, event path off); RSS at peak under load %d MiB.%n"
            .formatted(options.isBlank() ? "none" : options, startUp.readyMs(), startUp.rssKb() / 1024, rssUnderLoad / 1024));
    return out.toString();
  }

  private static void addedByLogging(StringBuilder out, List<Result> logged, List<Result> plain) {
    for (Result withLog : logged) {
      plain.stream()
          .filter(r -> r.target().equals("v2 REST infer") && r.concurrency() == withLog.concurrency())
          .findFirst()
          .ifPresent(
              without ->
                  out.append(
                      "%nLatency added by logging at concurrency %d (p50): %.0f µs."
                          .formatted(withLog.concurrency(), withLog.p50Micros() - without.p50Micros())));
    }
  }

  private static void table(StringBuilder out, List<Result> first, List<Result> rest) {
    out.append("| target | concurrency | requests/s | p50 µs | p99 µs |%n|---|---:|---:|---:|---:|%n".formatted());
    first.forEach(r -> out.append(r.row()).append('\n'));
    rest.forEach(r -> out.append(r.row()).append('\n'));
  }

  private static String overheads(Result floor, List<Result> results) {
    List<String> overheads = new ArrayList<>();
    for (Result r : results) {
      if (!r.target().contains("floor")) {
        overheads.add("%s %.0f µs".formatted(r.target(), r.p50Micros() - floor.p50Micros()));
      }
    }
    return String.join(", ", overheads);
  }
}
