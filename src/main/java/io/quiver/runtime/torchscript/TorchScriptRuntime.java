package io.quiver.runtime.torchscript;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.MalformedModelException;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Serves TorchScript files ({@code model.pt}, as KServe, TorchServe and Triton name them) through
 * DJL's PyTorch engine on libtorch 2.7.1 for the CPU. A TorchScript module has no typed signature,
 * so its tensors are declared in the model's config.pbtxt, as Triton requires for its libtorch
 * backend.
 */
@ApplicationScoped
public class TorchScriptRuntime implements ModelRuntime {
  static final String PLATFORM = "pytorch_libtorch";
  private static final String FILE = "model.pt";

  private final Optional<Path> nativeDir;

  TorchScriptRuntime(@ConfigProperty(name = "quiver.torch.native-dir") Optional<Path> nativeDir) {
    this.nativeDir = nativeDir;
  }

  @Override
  public String format() {
    return "pytorch";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILE).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) throws IOException, MalformedModelException {
    Path file = source.requireFile(FILE);
    ModelConfig config = source.tritonConfig();
    if (config == null || config.getInputCount() == 0 || config.getOutputCount() == 0) {
      throw new IllegalArgumentException(
          "a TorchScript model has no typed signature: declare its inputs and outputs in config.pbtxt (names, data_type, dims), as Triton's libtorch backend requires");
    }
    TorchNatives.prepare(nativeDir);
    Model model = Model.newInstance(source.name(), Device.cpu(), "PyTorch");
    try {
      model.load(file);
      return new TorchScriptModel(model, config);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
