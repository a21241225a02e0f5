package io.quiver.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The buffer policy in front of a sink: wait briefly for room, then drop and count. */
class SinkQueueTest {

  @Test
  void aStuckSinkCostsEachOfferAtMostTheMaximumBlockThenDrops() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    AtomicInteger delivered = new AtomicInteger();
    LogSink sink =
        new LogSink() {
          @Override
          public void send(LogRecord record, Runnable failed) {
            try {
              stuck.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            delivered.incrementAndGet();
          }

          @Override
          public void close() {}
        };
    AtomicInteger dropped = new AtomicInteger();
    SinkQueue queue = new SinkQueue("test", sink, 4, Duration.ofMillis(20), dropped::incrementAndGet);
    LogRecord record = new LogRecord("id", Map.of(), "application/json", new byte[0]);

    long slowest = 0;
    for (int i = 0; i < 20; i++) {
      long started = System.nanoTime();
      queue.offer(record);
      slowest = Math.max(slowest, System.nanoTime() - started);
    }
    // At most 4 wait in the buffer and at most 4 more in the batch the sender took; the rest drop.
    assertTrue(dropped.get() >= 12, "dropped " + dropped.get());
    assertTrue(slowest < Duration.ofMillis(500).toNanos(), "an offer waited " + slowest / 1_000_000 + " ms");

    stuck.countDown();
    queue.close();
    assertEquals(20 - dropped.get(), delivered.get(), "what was queued is delivered before close returns");
  }
}
