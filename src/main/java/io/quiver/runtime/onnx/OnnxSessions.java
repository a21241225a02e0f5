package io.quiver.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.runtime.onnx.OnnxConfig.Device;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Opens ONNX Runtime sessions configured from the server's ONNX settings and the model's own
 * (device, threads, graph optimisation). Every runtime that runs an ONNX graph (plain ONNX models,
 * Hugging Face models) opens its sessions here, so they share one environment and one set of rules.
 */
@ApplicationScoped
public class OnnxSessions {
  private static final Logger LOG = Logger.getLogger(OnnxSessions.class);

  private final OnnxConfig config;
  private OrtEnvironment environment;

  OnnxSessions(OnnxConfig config) {
    this.config = config;
  }

  /** A session and the options it was made with, closed together. */
  public record Session(OrtEnvironment environment, OrtSession session, OrtSession.SessionOptions options)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("closing an ONNX Runtime session failed", e);
      } finally {
        options.close();
      }
    }
  }

  /** Opens {@code file} for the model {@code source} describes. */
  public Session open(Path file, ModelSource source) throws OrtException {
    OrtEnvironment env = environment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      configure(options, source);
      return new Session(env, env.createSession(file.toString(), options), options);
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /** The process's one ONNX Runtime environment, its natives extracted first. */
  public synchronized OrtEnvironment environment() {
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
    Device device = settings.parameter("device").map(OnnxSessions::device).orElse(config.device());
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

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
