package io.quiver.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quiver.core.InferenceException;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.RequestIds;
import io.quiver.core.registry.ModelRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Logs inference payloads, exactly as received and sent, as KServe's payload logger does: one
 * CloudEvent for the request ({@code org.kubeflow.serving.inference.request}) and one for the
 * response ({@code org.kubeflow.serving.inference.response}) with the same id, to a Kafka topic
 * and, when configured, an HTTP sink. Unlike KServe, failed inferences are logged too: the response
 * event carries the error body and {@code ce_status}.
 *
 * <p>Logging never fails an inference and delays one by at most {@code quiver.logger.max-block}:
 * records go through a bounded buffer per sink; when it is full (or the sink unreachable) they are
 * dropped, counted in {@code quiver_payload_log_dropped_total}, and the log says so.
 */
@Startup // so that the dropped-records counter is scrapeable from the start
@ApplicationScoped
public class PayloadLogger {
  private static final Logger LOG = Logger.getLogger(PayloadLogger.class);
  static final String REQUEST_TYPE = "org.kubeflow.serving.inference.request";
  static final String RESPONSE_TYPE = "org.kubeflow.serving.inference.response";
  private static final long WARN_EVERY_NANOS = 30_000_000_000L;

  private final PayloadLoggerConfig config;
  private final ModelRegistry registry;
  private final Optional<String> kafkaBootstrapServers;
  private final Counter dropped;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
  private volatile List<SinkQueue> sinks;

  PayloadLogger(
      PayloadLoggerConfig config,
      ModelRegistry registry,
      MeterRegistry meters,
      @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> kafkaBootstrapServers) {
    this.config = config;
    this.registry = registry;
    this.kafkaBootstrapServers = kafkaBootstrapServers;
    this.dropped =
        Counter.builder("quiver.payload.log.dropped")
            .description("Payload log records dropped: buffer full or sink unreachable")
            .register(meters);
  }

  /** One logged inference: its request is logged when it starts, its response here when it ends. */
  public interface Call {
    /** A call that logs nothing, for models whose payloads are not logged. */
    Call NONE =
        new Call() {
          @Override
          public void answered(Supplier<ByteBuffer> payload, String contentType) {}

          @Override
          public void failed(int status, Supplier<ByteBuffer> payload, String contentType) {}
        };

    /** Logs the response sent; {@code payload} is only called when responses are logged. */
    void answered(Supplier<ByteBuffer> payload, String contentType);

    /** Logs the error answered, with its HTTP status. */
    void failed(int status, Supplier<ByteBuffer> payload, String contentType);
  }

  /**
   * Starts logging an inference and logs its request when the mode asks for requests.
   *
   * @param trace the inference's trace: its protocol, and its traceparent for the records
   * @param payload the request as received; only called when requests are logged
   * @param correlationId the caller's id for the exchange ({@code ce-id}, {@code x-request-id}, a
   *     record's id), or null to make one
   */
  public Call start(
      Trace trace,
      String model,
      String version,
      String correlationId,
      String caller,
      Supplier<ByteBuffer> payload,
      String contentType) {
    Protocol endpoint = trace.protocol();
    String traceparent = trace.traceparent();
    PayloadLogMode mode = modeFor(model, version);
    if (mode == null) {
      return Call.NONE;
    }
    String id = correlationId != null ? correlationId : RequestIds.next();
    if (mode.logsRequests()) {
      offer(record(REQUEST_TYPE, id, endpoint, traceparent, model, version, caller, null, contentType, payload));
    }
    if (!mode.logsResponses()) {
      return Call.NONE;
    }
    return new Call() {
      @Override
      public void answered(Supplier<ByteBuffer> body, String type) {
        respond(200, body, type);
      }

      @Override
      public void failed(int status, Supplier<ByteBuffer> body, String type) {
        respond(status, body, type);
      }

      private void respond(int status, Supplier<ByteBuffer> body, String type) {
        offer(record(RESPONSE_TYPE, id, endpoint, traceparent, model, version, caller, status, type, body));
      }
    };
  }

  private PayloadLogMode modeFor(String model, String version) {
    String own;
    try {
      own = registry.ready(model, version).settings().loggerMode();
    } catch (InferenceException e) {
      own = null;
    }
    if (own != null) {
      try {
        return PayloadLogMode.parse(own);
      } catch (IllegalArgumentException e) {
        LOG.warnf("Model %s: %s; using the server's logger mode", model, e.getMessage());
      }
    }
    return config.mode().orElse(null);
  }

  private static LogRecord record(
      String type,
      String id,
      Protocol endpoint,
      String traceparent,
      String model,
      String version,
      String caller,
      Integer status,
      String contentType,
      Supplier<ByteBuffer> payload) {
    return new LogRecord(
        id, attributes(type, id, endpoint, traceparent, model, version, caller, status), contentType, copy(payload.get()));
  }

  private static Map<String, String> attributes(
      String type, String id, Protocol endpoint, String traceparent, String model, String version, String caller, Integer status) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("specversion", "1.0");
    attributes.put("id", id);
    attributes.put("type", type);
    attributes.put("source", "io.quiver." + endpoint.label());
    attributes.put("time", Instant.now().toString());
    if (model != null) {
      attributes.put("inferenceservicename", model);
      attributes.put("model", model);
    }
    if (version != null) {
      attributes.put("modelversion", version);
    }
    attributes.put("endpoint", endpoint.label());
    if (status != null) {
      attributes.put("status", Integer.toString(status));
    }
    if (traceparent != null) {
      attributes.put("traceparent", traceparent);
    }
    if (caller != null) {
      // who called, as authenticated (a token's subject, an API key's name), never the credential
      attributes.put("quivercaller", caller);
    }
    return attributes;
  }

  private static byte[] copy(ByteBuffer payload) {
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    return bytes;
  }

  private void offer(LogRecord record) {
    for (SinkQueue sink : sinks()) {
      sink.offer(record);
    }
  }

  private List<SinkQueue> sinks() {
    List<SinkQueue> current = sinks;
    if (current == null) {
      synchronized (this) {
        if (sinks == null) {
          sinks = openSinks();
        }
        current = sinks;
      }
    }
    return current;
  }

  private List<SinkQueue> openSinks() {
    List<SinkQueue> opened = new ArrayList<>();
    kafkaBootstrapServers.ifPresent(
        servers -> opened.add(queue("kafka", new KafkaLogSink(servers, config.topic(), kafkaSecurity()))));
    config.url().ifPresent(url -> opened.add(queue("http", new HttpLogSink(url))));
    if (opened.isEmpty()) {
      LOG.warn("Payload logging is on but has nowhere to go: set KAFKA_BOOTSTRAP_SERVERS or QUIVER_LOGGER_URL");
    }
    return List.copyOf(opened);
  }

  /** The Kafka client security settings under {@code kafka.*} (KAFKA_SECURITY_PROTOCOL, ...). */
  private static Map<String, String> kafkaSecurity() {
    org.eclipse.microprofile.config.Config settings = org.eclipse.microprofile.config.ConfigProvider.getConfig();
    Map<String, String> security = new LinkedHashMap<>();
    for (String key : KAFKA_SECURITY_KEYS) {
      settings.getOptionalValue("kafka." + key, String.class).ifPresent(value -> security.put(key, value));
    }
    return security;
  }

  private static final List<String> KAFKA_SECURITY_KEYS =
      List.of(
          "security.protocol", "sasl.mechanism", "sasl.jaas.config", "sasl.client.callback.handler.class",
          "sasl.login.callback.handler.class", "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type",
          "ssl.keystore.location", "ssl.keystore.password", "ssl.keystore.type", "ssl.key.password",
          "ssl.endpoint.identification.algorithm");

  private SinkQueue queue(String name, LogSink sink) {
    return new SinkQueue(name, sink, config.bufferSize(), config.maxBlock(), this::drop);
  }

  private void drop() {
    dropped.increment();
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warnf(
          "Payload log records are being dropped (buffer full or sink unreachable): %.0f so far",
          dropped.count());
    }
  }

  /** After the models have drained (their last responses are logged), hands over what is queued. */
  void flushOnShutdown(@Observes @Priority(100) ShutdownEvent event) {
    List<SinkQueue> open = sinks;
    if (open != null) {
      open.forEach(SinkQueue::close);
    }
  }
}
