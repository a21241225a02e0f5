package io.quiver.core.scheduler;

import java.time.Duration;

/**
 * How a model version gathers requests into one runtime call (MLServer's adaptive batching).
 *
 * @param maxBatchSize the most requests one call takes; 1 runs every request alone
 * @param maxDelay how long the first request of a batch may wait for company, counted from when it
 *     was queued; it waits only while other requests for the model are in flight, so a lone
 *     request is never held back
 */
public record BatchPolicy(int maxBatchSize, Duration maxDelay) {
  public static final BatchPolicy NONE = new BatchPolicy(1, Duration.ZERO);

  public BatchPolicy {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max_batch_size must be at least 1, got " + maxBatchSize);
    }
    if (maxDelay.isNegative()) {
      throw new IllegalArgumentException("max_batch_time must not be negative, got " + maxDelay);
    }
  }

  public boolean batches() {
    return maxBatchSize > 1;
  }
}
