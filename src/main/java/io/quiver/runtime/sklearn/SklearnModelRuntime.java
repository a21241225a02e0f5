package io.quiver.runtime.sklearn;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import io.quiver.runtime.sklearn.estimator.Estimators;
import io.quiver.runtime.sklearn.estimator.InputSchema;
import io.quiver.runtime.sklearn.pickle.ObjectGraph;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import io.quiver.runtime.sklearn.pickle.PyObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * Serves scikit-learn models saved with joblib or pickle ({@code model.joblib}, {@code model.pkl},
 * {@code model.pickle}), read by Quiver's own safe unpickler and computed in Java: no Python.
 */
@ApplicationScoped
public class SklearnModelRuntime implements ModelRuntime {
  private static final String[] FILES = {"model.joblib", "model.pkl", "model.pickle"};

  private final SklearnConfig config;

  SklearnModelRuntime(SklearnConfig config) {
    this.config = config;
  }

  @Override
  public String format() {
    return "sklearn";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILES).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) throws IOException {
    return load(PickleFiles.read(source.requireFile(FILES)), predictProba(source));
  }

  /** A model from an unpickled object, which must be a scikit-learn estimator. */
  public static LoadedModel load(Object unpickled, boolean predictProba) {
    if (!(unpickled instanceof PyObject model)) {
      throw new IllegalArgumentException(
          "the pickle holds a %s, not a scikit-learn estimator"
              .formatted(unpickled == null ? "None" : unpickled.getClass().getSimpleName()));
    }
    ObjectGraph.requireAcyclicAndShallow(model);
    return new SklearnModel(Estimators.estimator(model), InputSchema.of(model), predictProba);
  }

  private boolean predictProba(ModelSource source) {
    return source.settings().parameter("predict_proba").map(Boolean::parseBoolean).orElse(config.predictProba());
  }
}
