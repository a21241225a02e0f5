package io.quiver.runtime.onnx;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** ONNX Runtime settings under {@code quiver.onnx.*}; a model's settings may override each. */
@ConfigMapping(prefix = "quiver.onnx")
public interface OnnxConfig {

  /**
   * Where models run: {@code cpu}; {@code cuda} (load fails without a usable GPU); or {@code auto},
   * which tries CUDA and falls back to the CPU. Per model: parameter {@code device}.
   */
  @WithDefault("auto")
  Device device();

  /** The CUDA device models run on. Per model: parameter {@code cuda_device_id}. */
  @WithDefault("0")
  int cudaDeviceId();

  /**
   * Threads one inference may use; 0 shares the cores among the calls a model runs at once (cores
   * divided by its concurrency). Per model: {@code intra_op_threads}.
   */
  @WithDefault("0")
  int intraOpThreads();

  /** Threads for running independent graph nodes; 0 lets ONNX Runtime choose. Per model: {@code inter_op_threads}. */
  @WithDefault("0")
  int interOpThreads();

  /** Graph optimisation: none, basic, extended or all. Per model: {@code optimization_level}. */
  @WithDefault("all")
  String optimizationLevel();

  /**
   * The folder ONNX Runtime's native libraries are extracted to, once per release instead of into a
   * new temporary folder on every start. It must belong to the server's user and be writable by
   * no one else. Default: {@code ~/.cache/quiver/natives/onnxruntime-<release>}.
   */
  Optional<Path> nativeDir();

  enum Device {
    CPU,
    CUDA,
    AUTO
  }
}
