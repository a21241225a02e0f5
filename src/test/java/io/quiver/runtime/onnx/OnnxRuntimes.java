package io.quiver.runtime.onnx;

import java.nio.file.Path;
import java.util.Optional;

/** ONNX runtimes configured for tests that use them outside the server. */
public final class OnnxRuntimes {
  private OnnxRuntimes() {}

  /** A runtime that runs models on the CPU with basic graph optimisation. */
  public static OnnxModelRuntime cpu() {
    return new OnnxModelRuntime(cpuSessions());
  }

  /** Sessions on the CPU with basic graph optimisation, for other runtimes that run ONNX graphs. */
  public static OnnxSessions cpuSessions() {
    return new OnnxSessions(config(OnnxConfig.Device.CPU));
  }

  static OnnxConfig config(OnnxConfig.Device device) {
    return new OnnxConfig() {
      public Device device() {
        return device;
      }

      public int cudaDeviceId() {
        return 0;
      }

      public int intraOpThreads() {
        return 1;
      }

      public int interOpThreads() {
        return 1;
      }

      public String optimizationLevel() {
        return "basic";
      }

      public Optional<Path> nativeDir() {
        return Optional.empty();
      }
    };
  }
}
