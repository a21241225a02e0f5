package io.quiver.core.registry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Triton's statistics for one model version, cumulative since it was first loaded (reloads keep
 * them): requests answered and runtime calls made, and time spent in each phase.
 *
 * <ul>
 *   <li>{@code success} / {@code fail}: requests, and their whole time from arrival to the answer
 *       handed to the protocol;
 *   <li>{@code queue}: time waiting for the model's threads (and for a batch to form);
 *   <li>{@code compute_input}: decoding and validating the request;
 *   <li>{@code compute_infer}: the runtime call (each request of a batch counts the whole call);
 *   <li>{@code compute_output}: choosing the outputs asked for and encoding the answer.
 * </ul>
 */
public final class ModelStatistics {
  /** A count and the nanoseconds it took, summed. */
  public record Duration(long count, long ns) {}

  /** The per-phase figures of the requests answered. */
  public record Phases(
      Duration success, Duration fail, Duration queue, Duration computeInput, Duration computeInfer, Duration computeOutput) {}

  /** The runtime calls of one batch size. */
  public record Batch(long batchSize, Duration computeInput, Duration computeInfer, Duration computeOutput) {}

  /** The statistics at one moment. */
  public record Snapshot(
      long lastInferenceMillis, long inferenceCount, long executionCount, Phases inference, List<Batch> batches) {}

  private static final class Accumulator {
    private final LongAdder count = new LongAdder();
    private final LongAdder ns = new LongAdder();

    void add(long nanos) {
      count.increment();
      ns.add(nanos);
    }

    Duration value() {
      return new Duration(count.sum(), ns.sum());
    }
  }

  private record BatchAccumulators(Accumulator input, Accumulator infer, Accumulator output) {}

  private final AtomicLong lastInference = new AtomicLong();
  private final LongAdder inferences = new LongAdder();
  private final LongAdder executions = new LongAdder();
  private final Accumulator success = new Accumulator();
  private final Accumulator fail = new Accumulator();
  private final Accumulator queue = new Accumulator();
  private final Accumulator computeInput = new Accumulator();
  private final Accumulator computeInfer = new Accumulator();
  private final Accumulator computeOutput = new Accumulator();
  private final Map<Integer, BatchAccumulators> batches = new ConcurrentSkipListMap<>();

  /**
   * Records one request that reached the model.
   *
   * @param answered whether it was answered with outputs
   */
  public void request(
      boolean answered, long totalNanos, long queueNanos, long inputNanos, long inferNanos, long outputNanos) {
    lastInference.set(System.currentTimeMillis());
    if (answered) {
      inferences.increment();
      success.add(totalNanos);
    } else {
      fail.add(totalNanos);
    }
    queue.add(queueNanos);
    computeInput.add(inputNanos);
    computeInfer.add(inferNanos);
    computeOutput.add(outputNanos);
  }

  /** Records a request refused before it reached the model (invalid, or the queue full). */
  public void refused(long totalNanos) {
    lastInference.set(System.currentTimeMillis());
    fail.add(totalNanos);
  }

  /**
   * Records one runtime call of {@code size} requests: no input phase of its own (requests are
   * decoded one by one beforehand), the call, and the answering of its requests.
   */
  public void execution(int size, long inputNanos, long inferNanos, long outputNanos) {
    executions.increment();
    BatchAccumulators batch =
        batches.computeIfAbsent(size, s -> new BatchAccumulators(new Accumulator(), new Accumulator(), new Accumulator()));
    batch.input().add(inputNanos);
    batch.infer().add(inferNanos);
    batch.output().add(outputNanos);
  }

  public Snapshot snapshot() {
    return new Snapshot(
        lastInference.get(),
        inferences.sum(),
        executions.sum(),
        new Phases(
            success.value(), fail.value(), queue.value(), computeInput.value(), computeInfer.value(), computeOutput.value()),
        batches.entrySet().stream()
            .map(
                entry ->
                    new Batch(
                        entry.getKey(),
                        entry.getValue().input().value(),
                        entry.getValue().infer().value(),
                        entry.getValue().output().value()))
            .toList());
  }
}
