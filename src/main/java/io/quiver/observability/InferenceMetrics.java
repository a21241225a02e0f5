package io.quiver.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.core.InferenceObserver;
import io.quiver.core.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-request and per-call metrics in Prometheus format at {@code /metrics}.
 *
 * <p>KServe's histograms, so that KServe dashboards work, labelled {@code model_name}: {@code
 * request_preprocess_seconds} (decoding and validating the request), {@code
 * request_predict_seconds} (waiting for the model and running it) and {@code
 * request_postprocess_seconds} (choosing the outputs and encoding the answer). Quiver's own,
 * labelled {@code model} and {@code version} (and {@code protocol} where a request came through
 * one): {@code quiver_requests_total} by {@code outcome}, {@code quiver_request_duration_seconds},
 * {@code quiver_queue_duration_seconds}, {@code quiver_compute_duration_seconds} and {@code
 * quiver_batch_size} per runtime call. Requests for a model name the server does not know are
 * counted under an empty model label, so unknown names make no new series.
 */
@ApplicationScoped
public class InferenceMetrics implements InferenceObserver {
  /** prometheus_client's default buckets, which KServe's histograms use. */
  private static final Duration[] KSERVE_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
  /** Finer buckets for Quiver's own latencies, from 100 µs. */
  private static final Duration[] LATENCY_BUCKETS =
      seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final MeterRegistry meters;
  private final ConcurrentMap<RequestKey, RequestMeters> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<VersionKey, CallMeters> calls = new ConcurrentHashMap<>();

  InferenceMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  private record RequestKey(Protocol protocol, String model, String version) {}

  private record VersionKey(String model, String version) {}

  /** The meters one model version's requests through one protocol update, made once. */
  private final class RequestMeters {
    final Counter[] outcomes = new Counter[Outcome.values().length];
    final Timer duration;
    final Timer preprocess;
    final Timer predict;
    final Timer postprocess;
    final Timer queue;

    RequestMeters(RequestKey key) {
      String[] tags = {"model", key.model(), "version", key.version(), "protocol", key.protocol().label()};
      for (Outcome outcome : Outcome.values()) {
        outcomes[outcome.ordinal()] =
            Counter.builder("quiver_requests")
                .description("Requests answered or refused, by outcome")
                .tags(tags)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(meters);
      }
      duration = timer("quiver_request_duration", "From a request's arrival to its answer", LATENCY_BUCKETS, tags);
      String[] kserve = {"model_name", key.model()};
      preprocess = timer("request_preprocess", "Decoding and validating the request (KServe's pre-process)", KSERVE_BUCKETS, kserve);
      predict = timer("request_predict", "Waiting for the model and running it (KServe's predict)", KSERVE_BUCKETS, kserve);
      postprocess = timer("request_postprocess", "Choosing the outputs and encoding the answer (KServe's post-process)", KSERVE_BUCKETS, kserve);
      queue = timer("quiver_queue_duration", "Time a request waited for the model's threads", LATENCY_BUCKETS, "model", key.model(), "version", key.version());
    }
  }

  /** The meters of one model version's runtime calls. */
  private final class CallMeters {
    final Timer compute;
    final DistributionSummary batchSize;

    CallMeters(VersionKey key) {
      compute = timer("quiver_compute_duration", "One runtime call", LATENCY_BUCKETS, "model", key.model(), "version", key.version());
      batchSize =
          DistributionSummary.builder("quiver_batch_size")
              .description("Requests one runtime call took")
              .tags("model", key.model(), "version", key.version())
              .serviceLevelObjectives(BATCH_BUCKETS)
              .register(meters);
    }
  }

  @Override
  public void answered(Answered request) {
    RequestKey key = new RequestKey(request.protocol(), label(request.model()), label(request.version()));
    RequestMeters meters = requests.computeIfAbsent(key, RequestMeters::new);
    meters.outcomes[request.outcome().ordinal()].increment();
    meters.duration.record(request.totalNanos(), TimeUnit.NANOSECONDS);
    if (request.model() == null) {
      return;
    }
    meters.preprocess.record(request.inputNanos(), TimeUnit.NANOSECONDS);
    if (request.outcome() == Outcome.SUCCESS || request.computeNanos() > 0) {
      meters.queue.record(request.queueNanos(), TimeUnit.NANOSECONDS);
      meters.predict.record(request.queueNanos() + request.computeNanos(), TimeUnit.NANOSECONDS);
      meters.postprocess.record(request.outputNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void executed(String model, String version, int batchSize, long computeNanos) {
    CallMeters meters = calls.computeIfAbsent(new VersionKey(model, label(version)), CallMeters::new);
    meters.compute.record(computeNanos, TimeUnit.NANOSECONDS);
    meters.batchSize.record(batchSize);
  }

  private Timer timer(String name, String description, Duration[] buckets, String... tags) {
    return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets).register(meters);
  }

  private static String label(String value) {
    return value == null ? "" : value;
  }

  static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return durations;
  }
}
