package io.quiver.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Ids for requests that came without one: random (version 4) UUIDs, as KServe assigns them. */
public final class RequestIds {
  private RequestIds() {}

  /** A fresh id; uses a thread-local generator so concurrent requests never contend. */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
