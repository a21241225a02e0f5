package io.quiver.support;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A writable copy of the test model repository (src/test/resources/repository) for the server under
 * test, plus folders that vary a committed model only by its settings.
 */
@QuarkusTestResource(TestRepository.class)
public class TestRepository implements QuarkusTestResourceLifecycleManager {
  private static final Path FIXTURES = Path.of("src/test/resources/repository");
  private static Path root;

  /** The repository the running test server serves. */
  public static Path root() {
    return root;
  }

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("quiver-test-repository");
      copyTree(FIXTURES, root);
      // About a second or more per call: for tests of isolation between models.
      copyTree(Path.of("src/test/resources/slow-repository/slow"), root.resolve("slow"));
      // The CPU build cannot run CUDA: asking for it must fail this model alone, with a reason.
      copyTree(FIXTURES.resolve("iris-onnx"), root.resolve("onnx-on-cuda"));
      Files.writeString(
          root.resolve("onnx-on-cuda/model-settings.json"), "{\"parameters\": {\"device\": \"cuda\"}}");
      // An unconventional file name, served because the settings name format and file.
      Files.createDirectories(root.resolve("named-file"));
      Files.copy(FIXTURES.resolve("iris-xgboost/model.json"), root.resolve("named-file/booster.json"));
      Files.writeString(
          root.resolve("named-file/model-settings.json"),
          "{\"format\": \"xgboost\", \"file\": \"booster.json\", \"parameters\": {\"nthread\": 2}}");
      // The example custom model (examples/custom-model), compiled into the tests.
      Files.createDirectories(root.resolve("iris-rules"));
      Files.writeString(
          root.resolve("iris-rules/model-settings.json"),
          "{\"implementation\": \"io.quiver.examples.IrisRulesModel\"}");
      addScikitLearnModels();
      copyTree(Path.of("src/test/resources/lightgbm/multiclass"), root.resolve("lightgbm-multiclass"));
      copyTree(Path.of("src/test/resources/lightgbm/binary-bst"), root.resolve("lightgbm-bst"));
      copyTree(Path.of("src/test/resources/pmml/iris-tree"), root.resolve("pmml-iris"));
      copyTree(Path.of("src/test/resources/pmml/jpmml-logistic"), root.resolve("pmml-jpmml-logistic"));
      for (String flavor : new String[] {"sklearn", "xgboost", "lightgbm", "onnx", "pyfunc-custom"}) {
        copyTree(Path.of("src/test/resources/mlflow", flavor), root.resolve("mlflow-" + flavor));
      }
      copyTree(Path.of("src/test/resources/pmml/categorical-regression"), root.resolve("pmml-categorical"));
      return Map.of("quiver.model-repository", root.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** scikit-learn fixtures (made by examples/make_sklearn_models.py) as a user would lay them out. */
  private static void addScikitLearnModels() throws IOException {
    Path sklearn = Path.of("src/test/resources/sklearn");
    copyTree(sklearn.resolve("random-forest-classifier"), root.resolve("sklearn-forest"));
    copyTree(sklearn.resolve("hist-gradient-boosting-classifier"), root.resolve("sklearn-hist"));
    copyTree(sklearn.resolve("random-forest-classifier"), root.resolve("sklearn-forest-proba"));
    Files.writeString(
        root.resolve("sklearn-forest-proba/model-settings.json"), "{\"parameters\": {\"predict_proba\": \"true\"}}");
    copyTree(sklearn.resolve("column-transformer-named"), root.resolve("sklearn-columns"));
    copyTree(sklearn.resolve("column-transformer-positional"), root.resolve("sklearn-positional"));
    copyTree(sklearn.resolve("unsafe"), root.resolve("sklearn-unsafe"));
    copyTree(sklearn.resolve("unsupported-estimator"), root.resolve("sklearn-unsupported"));
    Files.createDirectories(root.resolve("sklearn-corrupt"));
    byte[] whole = Files.readAllBytes(sklearn.resolve("logistic-binary/model.joblib"));
    Files.write(root.resolve("sklearn-corrupt/model.joblib"), java.util.Arrays.copyOf(whole, whole.length / 2));
  }

  @Override
  public void stop() {
    deleteTree(root);
  }

  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  public static void deleteTree(Path path) {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
