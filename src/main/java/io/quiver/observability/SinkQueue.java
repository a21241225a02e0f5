package io.quiver.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded buffer in front of one sink, drained by a thread of its own in batches. An inference
 * waits at most {@code maxBlock} for room; after that its record is dropped and counted. A slow or
 * unreachable sink therefore never slows inferences by more than that, and never holds more than
 * twice the capacity (the buffer, and the batch being sent).
 */
final class SinkQueue implements AutoCloseable {
  private static final long IDLE_MILLIS = 5;
  private final LogSink sink;
  private final BlockingQueue<LogRecord> queue;
  private final long maxBlockNanos;
  private final Runnable dropped;
  private final AtomicLong pending = new AtomicLong();
  private final Thread sender;
  private final int batchSize;

  SinkQueue(String name, LogSink sink, int capacity, Duration maxBlock, Runnable dropped) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxBlockNanos = maxBlock.toNanos();
    this.dropped = dropped;
    this.batchSize = Math.min(256, capacity);
    this.sender = Thread.ofPlatform().daemon().name("payload-log-" + name).start(this::drain);
  }

  /** Queues a record, waiting at most the configured time for room. */
  void offer(LogRecord record) {
    pending.incrementAndGet();
    try {
      if (!queue.offer(record, maxBlockNanos, TimeUnit.NANOSECONDS)) {
        pending.decrementAndGet();
        dropped.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.decrementAndGet();
      dropped.run();
    }
  }

  /**
   * Sends what has queued up, then sleeps a few milliseconds when there was nothing. Polling instead
   * of waiting on the queue spares every inference the cost of waking this thread.
   */
  private void drain() {
    List<LogRecord> batch = new ArrayList<>(batchSize);
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (queue.drainTo(batch, batchSize) == 0) {
          Thread.sleep(IDLE_MILLIS);
          continue;
        }
        for (LogRecord record : batch) {
          try {
            sink.send(record, dropped);
          } finally {
            pending.decrementAndGet();
          }
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits up to five seconds for queued records to be handed to the sink, then stops. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    try {
      while (pending.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
    sink.close();
  }
}
