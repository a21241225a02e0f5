package io.quiver.protocol.grpc;

import io.quiver.core.registry.ModelStatistics.Batch;
import io.quiver.core.registry.ModelStatistics.Duration;
import io.quiver.core.registry.ModelStatistics.Phases;
import io.quiver.core.registry.ModelStatistics.Snapshot;
import io.quiver.core.registry.ModelVersion;
import io.quiver.protocol.grpc.api.InferBatchStatistics;
import io.quiver.protocol.grpc.api.InferStatistics;
import io.quiver.protocol.grpc.api.ModelStatistics;
import io.quiver.protocol.grpc.api.StatisticDuration;

/** A model version's statistics as Triton's {@code ModelStatistics} message. */
final class GrpcStatistics {
  private GrpcStatistics() {}

  static ModelStatistics of(ModelVersion version) {
    Snapshot stats = version.statistics().snapshot();
    Phases phases = stats.inference();
    ModelStatistics.Builder message =
        ModelStatistics.newBuilder()
            .setName(version.modelName())
            .setVersion(version.version() == null ? "" : version.version())
            .setLastInference(stats.lastInferenceMillis())
            .setInferenceCount(stats.inferenceCount())
            .setExecutionCount(stats.executionCount())
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(duration(phases.success()))
                    .setFail(duration(phases.fail()))
                    .setQueue(duration(phases.queue()))
                    .setComputeInput(duration(phases.computeInput()))
                    .setComputeInfer(duration(phases.computeInfer()))
                    .setComputeOutput(duration(phases.computeOutput()))
                    .setCacheHit(StatisticDuration.getDefaultInstance())
                    .setCacheMiss(StatisticDuration.getDefaultInstance()));
    for (Batch batch : stats.batches()) {
      message.addBatchStats(
          InferBatchStatistics.newBuilder()
              .setBatchSize(batch.batchSize())
              .setComputeInput(duration(batch.computeInput()))
              .setComputeInfer(duration(batch.computeInfer()))
              .setComputeOutput(duration(batch.computeOutput())));
    }
    return message.build();
  }

  private static StatisticDuration duration(Duration duration) {
    return StatisticDuration.newBuilder().setCount(duration.count()).setNs(duration.ns()).build();
  }
}
