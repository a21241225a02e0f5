package io.quiver.runtime.mlflow;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves MLflow model folders (an {@code MLmodel} file beside the model): the flavor is handed to
 * the runtime that serves it (scikit-learn, XGBoost, LightGBM, ONNX), and the signature decides
 * the inputs. A python_function model with its own Python code fails to load, saying why.
 */
@ApplicationScoped
public class MlflowModelRuntime implements ModelRuntime {
  static final String MLMODEL = "MLmodel";

  private final Instance<ModelRuntime> runtimes;

  MlflowModelRuntime(Instance<ModelRuntime> runtimes) {
    this.runtimes = runtimes;
  }

  @Override
  public String format() {
    return "mlflow";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return Files.isRegularFile(source.directory().resolve(MLMODEL));
  }

  /** An MLflow folder holds a pickle or booster the flavor's runtime would also recognise. */
  @Override
  public int precedence() {
    return 1;
  }

  @Override
  public LoadedModel load(ModelSource source) throws Exception {
    Path file = source.directory().resolve(MLMODEL);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no MLmodel file in the model folder");
    }
    MlflowModelFile mlmodel = MlflowModelFile.read(file);
    ModelRuntime runtime =
        runtimes.stream()
            .filter(candidate -> candidate.format().equals(mlmodel.format()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no runtime serves " + mlmodel.format()));
    LoadedModel model =
        runtime.load(source.withSettings(source.settings().forFile(mlmodel.format(), mlmodel.file())));
    try {
      return new MlflowModel(model, mlmodel.columns());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
