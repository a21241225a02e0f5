package io.quiver.protocol.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quiver.core.registry.ModelRegistry.IndexEntry;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelStatistics;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import java.util.List;

/** The Open Inference Protocol's small JSON bodies, in the field order KServe and Triton use. */
final class V2Messages {
  private V2Messages() {}

  record ServerMetadata(String name, String version, List<String> extensions) {}

  record Live(boolean live) {}

  record Ready(boolean ready) {}

  record ModelList(List<String> models) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ModelReady(String name, boolean ready, String reason) {
    static ModelReady of(String name, ModelVersion version) {
      ModelVersion.Status status = version.status();
      boolean ready = status.state() == ModelState.READY;
      return new ModelReady(name, ready, ready ? null : version.unavailable().getMessage());
    }
  }

  record TensorMetadata(String name, String datatype, long[] shape) {
    static List<TensorMetadata> of(List<TensorSpec> specs) {
      return specs.stream()
          .map(spec -> new TensorMetadata(spec.name(), spec.datatype().name(), spec.shape()))
          .toList();
    }
  }

  /** {@code versions} is null for an unversioned model, as KServe reports it. */
  record ModelMetadataResponse(
      String name,
      List<String> versions,
      String platform,
      List<TensorMetadata> inputs,
      List<TensorMetadata> outputs) {
    static ModelMetadataResponse of(String name, List<String> versions, ModelMetadata metadata) {
      return new ModelMetadataResponse(
          name,
          versions.isEmpty() ? null : versions,
          metadata.platform(),
          TensorMetadata.of(metadata.inputs()),
          TensorMetadata.of(metadata.outputs()));
    }
  }

  /** A repository index row, as Triton reports it; no version for unversioned models. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record IndexRow(String name, String version, String state, String reason) {
    static IndexRow of(IndexEntry entry) {
      return new IndexRow(entry.name(), entry.version(), entry.state().name(), entry.reason());
    }
  }

  /** Triton's statistics extension: {@code {"model_stats": [...]}}. */
  record Statistics(@JsonProperty("model_stats") List<VersionStatistics> modelStats) {}

  record VersionStatistics(
      String name,
      String version,
      @JsonProperty("last_inference") long lastInference,
      @JsonProperty("inference_count") long inferenceCount,
      @JsonProperty("execution_count") long executionCount,
      @JsonProperty("inference_stats") InferenceStatistics inferenceStats,
      @JsonProperty("batch_stats") List<BatchStatistics> batchStats,
      @JsonProperty("memory_usage") List<Object> memoryUsage) {
    static VersionStatistics of(ModelVersion version) {
      ModelStatistics.Snapshot stats = version.statistics().snapshot();
      ModelStatistics.Phases phases = stats.inference();
      ModelStatistics.Duration none = new ModelStatistics.Duration(0, 0);
      return new VersionStatistics(
          version.modelName(),
          version.version() == null ? "" : version.version(),
          stats.lastInferenceMillis(),
          stats.inferenceCount(),
          stats.executionCount(),
          new InferenceStatistics(
              phases.success(), phases.fail(), phases.queue(), phases.computeInput(), phases.computeInfer(),
              phases.computeOutput(), none, none),
          stats.batches().stream()
              .map(b -> new BatchStatistics(b.batchSize(), b.computeInput(), b.computeInfer(), b.computeOutput()))
              .toList(),
          List.of());
    }
  }

  record InferenceStatistics(
      ModelStatistics.Duration success,
      ModelStatistics.Duration fail,
      ModelStatistics.Duration queue,
      @JsonProperty("compute_input") ModelStatistics.Duration computeInput,
      @JsonProperty("compute_infer") ModelStatistics.Duration computeInfer,
      @JsonProperty("compute_output") ModelStatistics.Duration computeOutput,
      @JsonProperty("cache_hit") ModelStatistics.Duration cacheHit,
      @JsonProperty("cache_miss") ModelStatistics.Duration cacheMiss) {}

  record BatchStatistics(
      @JsonProperty("batch_size") long batchSize,
      @JsonProperty("compute_input") ModelStatistics.Duration computeInput,
      @JsonProperty("compute_infer") ModelStatistics.Duration computeInfer,
      @JsonProperty("compute_output") ModelStatistics.Duration computeOutput) {}

  record Loaded(String name, boolean load) {}

  record Unloaded(String name, boolean unload) {}
}
