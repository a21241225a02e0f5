package io.quiver.runtime.torchscript;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.Model;
import ai.djl.MalformedModelException;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSettings;
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
 * backend, or in its model-settings.json, as MLServer declares tensors.
 */
@ApplicationScoped
public class TorchScriptRuntime implements ModelRuntime {
  static final String PLATFORM = "pytorch_libtorch";
  private static final String ENGINE = "PyTorch";
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

  /**
   * Where the model runs: parameter {@code device} {@code cpu} (the default) or {@code cuda} (set by
   * a config.pbtxt {@code KIND_GPU} instance group), on {@code cuda_device_id}.
   */
  private static Device device(ModelSource source) {
    String device = source.settings().parameter("device").orElse("cpu");
    return switch (device) {
      case "cpu" -> Device.cpu();
      case "cuda" -> {
        int id = source.settings().parameter("cuda_device_id").map(Integer::parseInt).orElse(0);
        int gpus = Engine.getEngine(ENGINE).getGpuCount();
        if (id >= gpus) {
          throw new IllegalArgumentException(
              gpus == 0
                  ? "device cuda was asked for, but libtorch sees no GPU (the default build's libtorch is for the CPU; build with -Pgpu for CUDA)"
                  : "cuda_device_id %d was asked for, but libtorch sees %d GPU(s)".formatted(id, gpus));
        }
        yield Device.gpu(id);
      }
      default -> throw new IllegalArgumentException("parameter device must be cpu or cuda, not '%s'".formatted(device));
    };
  }

  @Override
  public LoadedModel load(ModelSource source) throws IOException, MalformedModelException {
    Path file = source.requireFile(FILE);
    ModelSettings settings = source.settings();
    if (settings.inputs().isEmpty() || settings.outputs().isEmpty()) {
      throw new IllegalArgumentException(
          "a TorchScript model has no typed signature: declare its inputs and outputs in config.pbtxt (names, data_type, dims), as Triton's libtorch backend requires, or in model-settings.json (\"inputs\"/\"outputs\": name, datatype, shape), as MLServer's");
    }
    ModelConfig config = source.tritonConfig();
    boolean batched = config != null ? config.getMaxBatchSize() > 0 : settings.maxBatchSize() > 1;
    TorchNatives.prepare(nativeDir);
    Model model = Model.newInstance(source.name(), device(source), ENGINE);
    try {
      model.load(file);
      return new TorchScriptModel(model, settings.inputs(), settings.outputs(), batched);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
