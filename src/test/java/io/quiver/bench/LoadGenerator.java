package io.quiver.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code concurrency} callers, each sending its next request as soon as the last
 * is answered, for a fixed time after a warm-up. Every request must succeed.
 */
final class LoadGenerator {
  private LoadGenerator() {}

  static Result run(LoadTarget target, int concurrency, double warmupSeconds, double seconds)
      throws InterruptedException {
    drive(target, concurrency, warmupSeconds);
    long started = System.nanoTime();
    List<Latencies> parts = drive(target, concurrency, seconds);
    double elapsed = (System.nanoTime() - started) / 1e9;
    return Result.of(target.name(), concurrency, Latencies.merge(parts), elapsed);
  }

  private static List<Latencies> drive(LoadTarget target, int concurrency, double seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    CountDownLatch finished = new CountDownLatch(concurrency);
    AtomicLong failures = new AtomicLong();
    List<Latencies> parts = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Latencies latencies = new Latencies();
      parts.add(latencies);
      new Caller(target, latencies, deadline, finished, failures).next();
    }
    if (!finished.await((long) seconds + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(target.name() + ": callers did not finish");
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(target.name() + ": " + failures.get() + " requests failed");
    }
    return parts;
  }

  /** Blocking calls (the in-process model): one platform thread per caller. */
  static Result runBlocking(String name, Runnable call, int concurrency, double warmupSeconds, double seconds)
      throws InterruptedException {
    driveBlocking(call, concurrency, warmupSeconds);
    long started = System.nanoTime();
    List<Latencies> parts = driveBlocking(call, concurrency, seconds);
    double elapsed = (System.nanoTime() - started) / 1e9;
    return Result.of(name, concurrency, Latencies.merge(parts), elapsed);
  }

  private static List<Latencies> driveBlocking(Runnable call, int concurrency, double seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    List<Latencies> parts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Latencies latencies = new Latencies();
      parts.add(latencies);
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (long sent = System.nanoTime(); sent < deadline; sent = System.nanoTime()) {
                      call.run();
                      latencies.add(System.nanoTime() - sent);
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return parts;
  }

  private record Caller(
      LoadTarget target, Latencies latencies, long deadline, CountDownLatch finished, AtomicLong failures) {
    void next() {
      long sent = System.nanoTime();
      if (sent >= deadline) {
        finished.countDown();
        return;
      }
      target.call(
          failure -> {
            if (failure != null) {
              if (failures.incrementAndGet() == 1) {
                failure.printStackTrace();
              }
            } else {
              latencies.add(System.nanoTime() - sent);
            }
            next();
          });
    }
  }
}
