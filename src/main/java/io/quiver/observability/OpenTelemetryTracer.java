package io.quiver.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quiver.core.InferenceObserver.Outcome;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Traces inferences with OpenTelemetry. With an OTLP endpoint configured, each request is a span
 * ({@code inference}, with the caller's {@code traceparent} as its parent) whose children are its
 * phases ({@code decode}, {@code queue}, {@code execute}, {@code encode}), with the model, version,
 * protocol and batch size as attributes. Without one nothing is recorded, but a request that came
 * with a {@code traceparent} still passes the trace on: what it causes carries the caller's trace
 * id with a span id of its own. A request without one, with nothing exported, costs nothing.
 */
@ApplicationScoped
public class OpenTelemetryTracer implements Tracer {
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("quiver.model");
  private static final AttributeKey<String> VERSION = AttributeKey.stringKey("quiver.version");
  private static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("quiver.protocol");
  private static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("quiver.batch_size");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("quiver.outcome");

  private static final TextMapGetter<Map<String, String>> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final io.opentelemetry.api.trace.Tracer tracer;
  private final boolean exporting;
  private final Map<Protocol, Trace> untraced = new EnumMap<>(Protocol.class);

  OpenTelemetryTracer(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean disabled) {
    this.tracer = openTelemetry.getTracer("io.quiver");
    this.exporting = !disabled;
    for (Protocol protocol : Protocol.values()) {
      untraced.put(protocol, Trace.untraced(protocol));
    }
  }

  @Override
  public Trace start(Protocol protocol, String traceparent, String tracestate) {
    SpanContext parent = parent(traceparent, tracestate);
    if (exporting) {
      return new RecordedTrace(protocol, parent);
    }
    return parent.isValid() ? new PassedOnTrace(protocol, parent) : untraced.get(protocol);
  }

  /** The caller's span, from its W3C headers; invalid when it sent none (or a malformed one). */
  private static SpanContext parent(String traceparent, String tracestate) {
    if (traceparent == null) {
      return SpanContext.getInvalid();
    }
    Map<String, String> headers = tracestate == null ? Map.of("traceparent", traceparent) : Map.of("traceparent", traceparent, "tracestate", tracestate);
    Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
    return Span.fromContext(context).getSpanContext();
  }

  private static String format(SpanContext span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  private static String tracestate(SpanContext span) {
    TraceState state = span.getTraceState();
    if (state.isEmpty()) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    state.forEach((key, value) -> text.append(text.isEmpty() ? "" : ",").append(key).append('=').append(value));
    return text.toString();
  }

  /** Nothing recorded; the caller's trace passed on under a span id of this request's own. */
  private record PassedOnTrace(Protocol protocol, String traceparent, String tracestate) implements Trace {
    PassedOnTrace(Protocol protocol, SpanContext parent) {
      this(protocol, passedOn(parent), OpenTelemetryTracer.tracestate(parent));
    }

    private static String passedOn(SpanContext parent) {
      long id;
      do {
        id = ThreadLocalRandom.current().nextLong();
      } while (id == 0);
      return "00-" + parent.getTraceId() + "-" + SpanId.fromLong(id) + "-" + parent.getTraceFlags().asHex();
    }

    public void decoded(long start, long end) {}

    public void queued(long start, long end) {}

    public void executed(long start, long end, int batchSize) {}

    public void encoded(long start, long end) {}

    public void end(String model, String version, Outcome outcome, Throwable failure) {}
  }

  /** A span for the request, children for its phases; times converted from nanoTime readings. */
  private final class RecordedTrace implements Trace {
    private final Protocol protocol;
    private final Span span;
    private final Context context;
    private final long epochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    private final long nanoTime = System.nanoTime();
    private final String tracestate;

    RecordedTrace(Protocol protocol, SpanContext parent) {
      this.protocol = protocol;
      this.tracestate = OpenTelemetryTracer.tracestate(parent);
      this.span =
          tracer
              .spanBuilder("inference")
              .setParent(Context.root().with(Span.wrap(parent)))
              .setSpanKind(protocol == Protocol.KAFKA ? SpanKind.CONSUMER : SpanKind.SERVER)
              .setAttribute(PROTOCOL, protocol.label())
              .setStartTimestamp(epochNanos, TimeUnit.NANOSECONDS)
              .startSpan();
      this.context = Context.root().with(span);
    }

    private long epoch(long reading) {
      return epochNanos + (reading - nanoTime);
    }

    private void child(String name, long start, long end, Integer batchSize) {
      var builder = tracer.spanBuilder(name).setParent(context).setStartTimestamp(epoch(start), TimeUnit.NANOSECONDS);
      if (batchSize != null) {
        builder.setAttribute(BATCH_SIZE, batchSize.longValue());
      }
      builder.startSpan().end(epoch(end), TimeUnit.NANOSECONDS);
    }

    public Protocol protocol() {
      return protocol;
    }

    public String traceparent() {
      return format(span.getSpanContext());
    }

    public String tracestate() {
      return tracestate;
    }

    public void decoded(long start, long end) {
      child("decode", start, end, null);
    }

    public void queued(long start, long end) {
      child("queue", start, end, null);
    }

    public void executed(long start, long end, int batchSize) {
      child("execute", start, end, batchSize);
      span.setAttribute(BATCH_SIZE, (long) batchSize);
    }

    public void encoded(long start, long end) {
      child("encode", start, end, null);
    }

    public void end(String model, String version, Outcome outcome, Throwable failure) {
      if (model != null) {
        span.updateName("inference " + model);
        span.setAttribute(MODEL, model);
      }
      if (version != null) {
        span.setAttribute(VERSION, version);
      }
      span.setAttribute(OUTCOME, outcome.name().toLowerCase(Locale.ROOT));
      if (failure != null) {
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      }
      span.end();
    }
  }
}
