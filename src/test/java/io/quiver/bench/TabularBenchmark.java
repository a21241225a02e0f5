package io.quiver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.fixtures.NativeLightGbm;
import io.quiver.runtime.lightgbm.LightGbmModelRuntime;
import io.quiver.runtime.sklearn.SklearnModelRuntime;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import io.quiver.runtime.xgboost.XGBoostModelRuntime;
import io.quiver.support.ServerProcess;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Tabular models, in one run: the 100-tree random forest and the four-step pipeline of the
 * scikit-learn fixtures ({@code benchmark-forest}, {@code benchmark-pipeline}), called in-process
 * and through the packaged server's v2 REST infer, one row and 100 rows per request, at
 * concurrency 1 and 64; the example XGBoost booster the same ways, and in-process through Quiver's
 * evaluator against xgboost4j's predictor; then a LightGBM model through Quiver's evaluator and
 * through LightGBM's own library. Prints Markdown.
 *
 * <p>Run: {@code ./mvnw -B -DskipTests package exec:exec@tabular-benchmark} (seconds per point:
 * {@code -Dbench.seconds=10}).
 */
public final class TabularBenchmark {
  private static final Path SKLEARN = Path.of("src/test/resources/sklearn");
  private static final Path EXPECTED = Path.of("src/test/resources/expected");
  private static final List<String> MODELS = List.of("benchmark-forest", "benchmark-pipeline");
  /** The example XGBoost booster (iris, 10 rounds x 3 classes), served beside the scikit-learn models. */
  private static final String XGBOOST = "iris-xgboost";
  private static final Path XGBOOST_FOLDER = Path.of("examples/models/iris-xgboost");
  private static final int[] ROWS = {1, 100};
  private static final int[] CONCURRENCY = {1, 64};
  private static final double JIT_WARMUP_SECONDS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A model's test rows (those its library predicted for the fixture), row-major. */
  private record Rows(double[] values, int features) {
    static Rows of(String expectedFile) throws IOException {
      JsonNode input = JSON.readTree(EXPECTED.resolve(expectedFile).toFile()).get("inputs").get(0);
      double[] values = new double[input.get("data").size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = input.get("data").get(i).asDouble();
      }
      return new Rows(values, input.get("shape").get(1).asInt());
    }

    /** {@code count} rows, the test rows repeated. */
    double[] take(int count) {
      double[] taken = new double[count * features];
      for (int i = 0; i < taken.length; i++) {
        taken[i] = values[i % values.length];
      }
      return taken;
    }

    InferenceRequest request(int count) {
      TensorBuilder builder = new TensorBuilder(DataType.FP64, count * features);
      for (double value : take(count)) {
        builder.addDouble(value);
      }
      return new InferenceRequest(
          null, "m", null, List.of(builder.build("input-0", new long[] {count, features})), List.of(), Map.of());
    }

    String v2Body(int count) {
      String data = Arrays.stream(take(count)).mapToObj(Double::toString).collect(Collectors.joining(","));
      return "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[%d,%d],\"datatype\":\"FP64\",\"data\":[%s]}]}"
          .formatted(count, features, data);
    }
  }

  /** A measured point and the rows each request carried. */
  private record Point(String model, int rows, Result result) {
    String row() {
      return "| %s | %s | %d | %d | %,.0f | %.0f | %.0f | %.1f |"
          .formatted(
              model,
              result.target(),
              rows,
              result.concurrency(),
              result.requestsPerSecond() * rows,
              result.p50Micros(),
              result.p99Micros(),
              result.p50Micros() / rows);
    }
  }

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    double warmup = Math.max(1, seconds / 3);
    List<Point> points = new ArrayList<>();
    for (String model : MODELS) {
      points.addAll(inProcess(model, warmup, seconds));
    }
    points.addAll(xgboost(warmup, seconds));
    points.addAll(served(warmup, seconds));
    List<Point> lightGbm = lightGbm(warmup, seconds);
    System.out.println(report(points, lightGbm, seconds, warmup));
  }

  private static List<Point> inProcess(String name, double warmup, double seconds) throws Exception {
    Rows rows = Rows.of("sklearn-" + name + ".json");
    List<Point> points = new ArrayList<>();
    try (LoadedModel model = SklearnModelRuntime.load(PickleFiles.read(SKLEARN.resolve(name).resolve("model.joblib")), false)) {
      for (int count : ROWS) {
        InferenceRequest request = rows.request(count);
        for (int concurrency : CONCURRENCY) {
          Runnable call = () -> mustSucceed(model.infer(List.of(request)).getFirst());
          points.add(point(name, count, LoadGenerator.runBlocking("in-process predict", call, concurrency, warmup, seconds)));
        }
      }
    }
    return points;
  }

  /** The XGBoost booster through Quiver (its Java evaluator) and through xgboost4j directly, one thread. */
  private static List<Point> xgboost(double warmup, double seconds) throws Exception {
    Rows rows = Rows.of(XGBOOST + ".json");
    List<Point> points = new ArrayList<>();
    Booster booster = XGBoost.loadModel(XGBOOST_FOLDER.resolve("model.json").toString());
    booster.setParam("nthread", 1);
    try (LoadedModel quiver = new XGBoostModelRuntime().load(new ModelSource("m", null, XGBOOST_FOLDER, ModelSettings.NONE))) {
      for (int count : ROWS) {
        InferenceRequest request = rows.request(count);
        float[] values = new float[count * rows.features()];
        double[] taken = rows.take(count);
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) taken[i];
        }
        Runnable java = () -> mustSucceed(quiver.infer(List.of(request)).getFirst());
        Runnable library = () -> predict(booster, values, count, rows.features());
        points.add(point(XGBOOST, count, LoadGenerator.runBlocking("in-process predict", java, 1, warmup, seconds)));
        points.add(point(XGBOOST, count, LoadGenerator.runBlocking("xgboost4j inplace_predict, 1 thread", library, 1, warmup, seconds)));
      }
    } finally {
      booster.dispose();
    }
    return points;
  }

  private static void predict(Booster booster, float[] values, int rows, int features) {
    try {
      booster.inplace_predict(values, rows, features, Float.NaN);
    } catch (XGBoostError e) {
      throw new IllegalStateException(e);
    }
  }

  private static void mustSucceed(InferenceResult result) {
    if (!(result instanceof InferenceResult.Outputs)) {
      throw new IllegalStateException(result.toString());
    }
  }

  private static List<Point> served(double warmup, double seconds) throws Exception {
    Path repository = Files.createTempDirectory("quiver-bench-models");
    for (String model : MODELS) {
      Files.createDirectories(repository.resolve(model));
      Files.copy(SKLEARN.resolve(model).resolve("model.joblib"), repository.resolve(model).resolve("model.joblib"));
    }
    Files.createDirectories(repository.resolve(XGBOOST));
    Files.copy(XGBOOST_FOLDER.resolve("model.json"), repository.resolve(XGBOOST).resolve("model.json"));
    List<Point> points = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", repository.toString()))) {
      server.awaitReady(Duration.ofSeconds(60));
      for (String model : served()) {
        Rows rows = Rows.of(model.equals(XGBOOST) ? XGBOOST + ".json" : "sklearn-" + model + ".json");
        for (int count : ROWS) {
          try (LoadTarget target = v2(vertx, server, model, rows, count, 8)) {
            LoadGenerator.run(target, 8, 0, JIT_WARMUP_SECONDS);
          }
        }
        for (int count : ROWS) {
          for (int concurrency : CONCURRENCY) {
            try (LoadTarget target = v2(vertx, server, model, rows, count, concurrency)) {
              points.add(point(model, count, LoadGenerator.run(target, concurrency, warmup, seconds)));
            }
          }
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
      try (Stream<Path> files = Files.walk(repository)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
    return points;
  }

  private static List<String> served() {
    List<String> models = new ArrayList<>(MODELS);
    models.add(XGBOOST);
    return models;
  }

  private static LoadTarget v2(Vertx vertx, ServerProcess server, String model, Rows rows, int count, int concurrency) {
    return new RestTarget(
        vertx, "v2 REST infer", server.httpPort, "/v2/models/" + model + "/infer", rows.v2Body(count), concurrency);
  }

  /** LightGBM's multiclass fixture: Quiver's evaluator against LightGBM's C library, one thread. */
  private static List<Point> lightGbm(double warmup, double seconds) throws Exception {
    Path folder = Path.of("src/test/resources/lightgbm/multiclass");
    Rows rows = Rows.of("lightgbm-multiclass.json");
    List<Point> points = new ArrayList<>();
    try (LoadedModel java = new LightGbmModelRuntime().load(new ModelSource("m", null, folder, ModelSettings.NONE));
        NativeLightGbm library = new NativeLightGbm(Files.readString(folder.resolve("model.txt")), 3)) {
      for (int count : ROWS) {
        InferenceRequest request = rows.request(count);
        double[] values = rows.take(count);
        Runnable quiver = () -> mustSucceed(java.infer(List.of(request)).getFirst());
        Runnable lightGbm = () -> library.predict(values, count, rows.features());
        points.add(point("lightgbm-multiclass", count, LoadGenerator.runBlocking("Quiver's Java evaluator", quiver, 1, warmup, seconds)));
        points.add(point("lightgbm-multiclass", count, LoadGenerator.runBlocking("LightGBM's C library (lightgbm4j)", lightGbm, 1, warmup, seconds)));
      }
    }
    return points;
  }

  private static Point point(String model, int rows, Result result) {
    Point point = new Point(model, rows, result);
    System.err.println(point.row());
    return point;
  }

  private static String report(List<Point> points, List<Point> lightGbm, double seconds, double warmup) {
    StringBuilder out = new StringBuilder();
    out.append(
        "Run on %s: %d CPU cores, Java %s, %.0f s per point after a %.0f s warm-up; client and server share the machine.%n%n"
            .formatted(LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds, warmup));
    String header =
        "| model | called through | rows per request | concurrency | rows/s | p50 µs per request | p99 µs per request | p50 µs per row |%n"
                .formatted()
            + "|---|---|---:|---:|---:|---:|---:|---:|%n".formatted();
    out.append(header);
    served().forEach(
        model ->
            points.stream()
                .filter(p -> p.model().equals(model))
                .sorted(Comparator.comparingInt(Point::rows).thenComparingInt(p -> p.result().concurrency()))
                .forEach(p -> out.append(p.row()).append('\n')));
    out.append("%nLightGBM, in-process, one thread:%n%n".formatted()).append(header);
    lightGbm.forEach(p -> out.append(p.row()).append('\n'));
    return out.toString();
  }
}
