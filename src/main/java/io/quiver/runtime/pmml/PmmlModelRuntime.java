package io.quiver.runtime.pmml;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import org.pmml4s.model.Model;

/** Serves {@code model.pmml} files through PMML4S, the evaluator KServe's pypmml wraps. */
@ApplicationScoped
public class PmmlModelRuntime implements ModelRuntime {
  private static final String FILE = "model.pmml";

  @Override
  public String format() {
    return "pmml";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILE).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) {
    Path file = source.requireFile(FILE);
    return new PmmlModel(Model.fromFile(file.toFile()));
  }
}
