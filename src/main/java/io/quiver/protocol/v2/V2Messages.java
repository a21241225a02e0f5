package io.quiver.protocol.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quiver.core.registry.ModelRegistry.IndexEntry;
import io.quiver.core.registry.ModelState;
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

  record Loaded(String name, boolean load) {}

  record Unloaded(String name, boolean unload) {}
}
