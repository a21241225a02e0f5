package io.quiver.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.spi.TensorSpec;
import io.quiver.runtime.onnx.OnnxConfig.Device;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/** Serves {@code model.onnx} files through ONNX Runtime, on the CPU or a CUDA GPU. */
@ApplicationScoped
public class OnnxModelRuntime implements ModelRuntime {
  private static final Logger LOG = Logger.getLogger(OnnxModelRuntime.class);
  static final String PLATFORM = "onnxruntime_onnx";
  private static final String FILE = "model.onnx";

  private final OnnxConfig config;
  private OrtEnvironment environment;

  OnnxModelRuntime(OnnxConfig config) {
    this.config = config;
  }

  @Override
  public String format() {
    return "onnx";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILE).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) throws OrtException {
    Path file = source.requireFile(FILE);
    OrtEnvironment env = environment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      configure(options, source);
      OrtSession session = env.createSession(file.toString(), options);
      try {
        return new OnnxModel(env, session, options, metadata(session));
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private synchronized OrtEnvironment environment() {
    if (environment == null) {
      OnnxNatives.prepare(config.nativeDir());
      environment = OrtEnvironment.getEnvironment();
    }
    return environment;
  }

  private void configure(OrtSession.SessionOptions options, ModelSource source) throws OrtException {
    ModelSettings settings = source.settings();
    options.setOptimizationLevel(
        optimizationLevel(settings.parameter("optimization_level").orElse(config.optimizationLevel())));
    // By default a model's concurrent calls share the cores between them, rather than each
    // assuming all of them (ONNX Runtime's own default, which oversubscribes the machine).
    int intraOp = settings.intParameter("intra_op_threads").orElse(config.intraOpThreads());
    options.setIntraOpNumThreads(intraOp > 0 ? intraOp : source.threadsPerCall());
    int interOp = settings.intParameter("inter_op_threads").orElse(config.interOpThreads());
    if (interOp > 0) {
      options.setInterOpNumThreads(interOp);
    }
    Device device =
        settings
            .parameter("device")
            .map(OnnxModelRuntime::device)
            .orElse(config.device());
    int deviceId = settings.intParameter("cuda_device_id").orElse(config.cudaDeviceId());
    switch (device) {
      case CPU -> LOG.infof("ONNX model %s runs on the CPU", source.describe());
      case CUDA -> {
        try {
          options.addCUDA(deviceId);
        } catch (OrtException e) {
          throw new IllegalStateException(
              "device is cuda, but CUDA device %d cannot be used here (%s). The GPU build (-Pgpu) on a machine with CUDA 12 and cuDNN 9 is needed; or set device to auto or cpu."
                  .formatted(deviceId, firstLine(e.getMessage())),
              e);
        }
        LOG.infof("ONNX model %s runs on CUDA device %d", source.describe(), deviceId);
      }
      case AUTO -> {
        try {
          options.addCUDA(deviceId);
          LOG.infof("ONNX model %s runs on CUDA device %d", source.describe(), deviceId);
        } catch (OrtException e) {
          LOG.infof(
              "ONNX model %s runs on the CPU (CUDA is not usable here: %s)",
              source.describe(), firstLine(e.getMessage()));
        }
      }
    }
  }

  private static Device device(String value) {
    try {
      return Device.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device must be cpu, cuda or auto; got '%s'".formatted(value));
    }
  }

  private static OptLevel optimizationLevel(String level) {
    return switch (level.trim().toLowerCase(Locale.ROOT)) {
      case "none", "disable" -> OptLevel.NO_OPT;
      case "basic" -> OptLevel.BASIC_OPT;
      case "extended" -> OptLevel.EXTENDED_OPT;
      case "all" -> OptLevel.ALL_OPT;
      default ->
          throw new IllegalArgumentException(
              "optimization_level must be none, basic, extended or all; got '%s'".formatted(level));
    };
  }

  private static ModelMetadata metadata(OrtSession session) throws OrtException {
    List<TensorSpec> inputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
      if (!(input.getValue().getInfo() instanceof TensorInfo info)) {
        throw new IllegalArgumentException(
            "input '%s' is not a tensor (%s); only tensor inputs can be served"
                .formatted(input.getKey(), input.getValue().getInfo()));
      }
      inputs.add(spec(input.getKey(), info));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> output : session.getOutputInfo().entrySet()) {
      if (output.getValue().getInfo() instanceof TensorInfo info) {
        outputs.add(spec(output.getKey(), info));
      } else {
        LOG.warnf(
            "Output '%s' is not a tensor (%s); it is not served", output.getKey(), output.getValue().getInfo());
      }
    }
    return new ModelMetadata(PLATFORM, inputs, outputs);
  }

  private static TensorSpec spec(String name, TensorInfo info) {
    return TensorSpec.of(name, OnnxTypes.datatype(info.onnxType, name), info.getShape());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
