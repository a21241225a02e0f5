package io.quiver.examples;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.CustomModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import jakarta.enterprise.context.Dependent;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A custom model in one class: the textbook decision rules for the iris flowers. Petal length
 * below 2.45 cm is a setosa; otherwise petal width below 1.75 cm is a versicolor; the rest are
 * virginica. The thresholds can be overridden by a {@code thresholds.properties} file in the model
 * folder.
 *
 * <p>Serve it with a model folder holding {@code model-settings.json}:
 * {@code {"implementation": "io.quiver.examples.IrisRulesModel"}}.
 */
@Dependent
public class IrisRulesModel implements CustomModel {
  static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

  private double setosaBelowPetalLength = 2.45;
  private double versicolorBelowPetalWidth = 1.75;

  @Override
  public void load(ModelSource source) throws IOException {
    Path file = source.directory().resolve("thresholds.properties");
    if (Files.isRegularFile(file)) {
      Properties thresholds = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        thresholds.load(reader);
      }
      setosaBelowPetalLength = Double.parseDouble(thresholds.getProperty("setosa.petal_length", "2.45"));
      versicolorBelowPetalWidth =
          Double.parseDouble(thresholds.getProperty("versicolor.petal_width", "1.75"));
    }
  }

  @Override
  public ModelMetadata metadata() {
    return new ModelMetadata(
        "custom",
        // Any numeric datatype is accepted; the server converts it to FP64 first.
        List.of(new TensorSpec("input-0", DataType.FP64, new long[] {-1, 4}, TensorSpec.Accepts.ANY_NUMERIC)),
        List.of(
            TensorSpec.of("label", DataType.INT64, -1),
            TensorSpec.of("species", DataType.BYTES, -1)));
  }

  /** Keeps only what the rules look at: petal length and width (columns 2 and 3). */
  @Override
  public InferenceRequest preprocess(InferenceRequest request) {
    Tensor measurements = request.inputs().getFirst();
    int rows = Math.toIntExact(measurements.dim(0));
    TensorBuilder petals = new TensorBuilder(DataType.FP64, rows * 2);
    for (int row = 0; row < rows; row++) {
      petals.addDouble(measurements.getDouble(row * 4 + 2));
      petals.addDouble(measurements.getDouble(row * 4 + 3));
    }
    return request.withInputs(List.of(petals.build("petals", new long[] {rows, 2})));
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    Tensor petals = request.inputs().getFirst();
    int rows = Math.toIntExact(petals.dim(0));
    TensorBuilder labels = new TensorBuilder(DataType.INT64, rows);
    for (int row = 0; row < rows; row++) {
      double length = petals.getDouble(row * 2);
      double width = petals.getDouble(row * 2 + 1);
      labels.addLong(length < setosaBelowPetalLength ? 0 : width < versicolorBelowPetalWidth ? 1 : 2);
    }
    return List.of(labels.build("label", new long[] {rows}));
  }

  /** Adds the species name for each label. */
  @Override
  public List<Tensor> postprocess(InferenceRequest request, List<Tensor> outputs) {
    Tensor labels = outputs.getFirst();
    int rows = Math.toIntExact(labels.elementCount());
    TensorBuilder names = new TensorBuilder(DataType.BYTES, rows);
    for (int row = 0; row < rows; row++) {
      names.addBytes(SPECIES.get((int) labels.getLong(row)).getBytes(StandardCharsets.UTF_8));
    }
    return List.of(labels, names.build("species", new long[] {rows}));
  }
}
