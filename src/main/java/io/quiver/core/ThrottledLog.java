package io.quiver.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Logs a recurring problem once, then at most once per interval, saying how often it recurred in
 * between: a client sending bad requests, or a model failing on every call, cannot flood the log.
 */
public final class ThrottledLog {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAt;
  private final AtomicLong suppressed = new AtomicLong();

  public ThrottledLog(Logger log) {
    this(log, INTERVAL);
  }

  ThrottledLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nextAt = new AtomicLong(System.nanoTime() - intervalNanos);
  }

  /** An unexpected failure, with its stack trace. */
  public void error(Throwable error, String message) {
    if (due()) {
      log.error(withCount(message), error);
    }
  }

  /** A failure worth an operator's attention, without a stack trace. */
  public void warn(String message) {
    if (due()) {
      log.warn(withCount(message));
    }
  }

  private boolean due() {
    long now = System.nanoTime();
    long next = nextAt.get();
    if (now - next >= 0 && nextAt.compareAndSet(next, now + intervalNanos)) {
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  private String withCount(String message) {
    long repeats = suppressed.getAndSet(0);
    return repeats == 0
        ? message
        : "%s (and %d more like it in the last %d s)".formatted(message, repeats, intervalNanos / 1_000_000_000);
  }
}
