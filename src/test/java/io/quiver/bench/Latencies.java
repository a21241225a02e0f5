package io.quiver.bench;

import java.util.Arrays;

/** Latencies in nanoseconds, appended without boxing; percentiles once the run is over. */
final class Latencies {
  private long[] values = new long[1 << 14];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int count() {
    return size;
  }

  static Latencies merge(Iterable<Latencies> parts) {
    Latencies all = new Latencies();
    for (Latencies part : parts) {
      for (int i = 0; i < part.size; i++) {
        all.add(part.values[i]);
      }
    }
    Arrays.sort(all.values, 0, all.size);
    return all;
  }

  /** The given percentile in microseconds; call on a merged (sorted) instance. */
  double percentileMicros(double percentile) {
    if (size == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(size - 1, Math.ceil(percentile / 100.0 * size) - 1);
    return values[Math.max(0, index)] / 1000.0;
  }
}
