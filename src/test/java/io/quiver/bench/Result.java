package io.quiver.bench;

/** One measured point: what was called, how hard, and how it went. */
record Result(String target, int concurrency, double requestsPerSecond, double p50Micros, double p99Micros) {

  static Result of(String target, int concurrency, Latencies merged, double seconds) {
    return new Result(
        target, concurrency, merged.count() / seconds, merged.percentileMicros(50), merged.percentileMicros(99));
  }

  String row() {
    return "| %s | %d | %,.0f | %.0f | %.0f |".formatted(target, concurrency, requestsPerSecond, p50Micros, p99Micros);
  }
}
