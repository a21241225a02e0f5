package io.quiver.protocol.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceResponse;
import io.quiver.core.InferenceService;
import io.quiver.core.InferenceService.Call;
import io.quiver.core.InferenceService.Answer;
import io.quiver.core.ServerLifecycle;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.Tracer;
import io.quiver.observability.PayloadLogger;
import io.quiver.protocol.json.JsonErrors;
import io.quiver.protocol.json.V1RequestReader;
import io.quiver.protocol.json.V1ResponseWriter;
import io.quiver.protocol.json.V2RequestReader;
import io.quiver.protocol.json.V2ResponseWriter;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * The Kafka event path: reads inference requests from the request topic, runs them, and writes each
 * answer to the response topic (or, when it cannot be answered, the original record to the
 * dead-letter topic with the reason).
 *
 * <p>Records arrive in batches, one poll at a time; each model gets its requests of the batch as
 * one batch. Answers are written in the order the requests were read, so per-key order holds, and
 * the batch's offsets are committed only after the broker has acknowledged every answer:
 * at-least-once, nothing lost. Until then no further batch is taken: back-pressure, not an
 * unbounded buffer.
 */
@ApplicationScoped
public class KafkaInferenceProcessor {
  private static final Executor VIRTUAL_THREADS = Executors.newVirtualThreadPerTaskExecutor();

  private final InferenceService inference;
  private final ServerLifecycle server;
  private final PayloadLogger logger;
  private final Tracer tracer;
  private final ObjectMapper json;
  private final V1RequestReader v1Requests;
  private final V1ResponseWriter v1Responses;
  private final V2RequestReader v2Requests;
  private final V2ResponseWriter v2Responses;
  private final KafkaAnswers answers;
  private final MutinyEmitter<byte[]> out;
  private final Counter consumed;
  private final Counter answered;
  private final Counter deadLettered;

  KafkaInferenceProcessor(
      InferenceService inference,
      ServerLifecycle server,
      PayloadLogger logger,
      Tracer tracer,
      ObjectMapper json,
      KafkaEventConfig config,
      MeterRegistry meters,
      @Channel("inference-responses") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
          MutinyEmitter<byte[]> out) {
    this.inference = inference;
    this.server = server;
    this.logger = logger;
    this.tracer = tracer;
    this.json = json;
    this.v1Requests = new V1RequestReader(json);
    this.v1Responses = new V1ResponseWriter(json);
    this.v2Requests = new V2RequestReader(json);
    this.v2Responses = new V2ResponseWriter(json);
    this.answers = new KafkaAnswers(json, config.dlqTopic());
    this.out = out;
    this.consumed = records(meters, "consumed");
    this.answered = records(meters, "answered");
    this.deadLettered = records(meters, "dead_lettered");
  }

  /** {@code quiver_kafka_records_total{outcome}}: records taken from the request topic, and what became of them. */
  private static Counter records(MeterRegistry meters, String outcome) {
    return Counter.builder("quiver_kafka_records")
        .description("Inference request records consumed, answered and dead-lettered")
        .tag("outcome", outcome)
        .register(meters);
  }

  /** A record read, with what became of it. */
  private final class Pending {
    final KafkaRecord<byte[], byte[]> record;
    final IncomingKafkaRecordMetadata<byte[], byte[]> metadata;
    InferenceEvent event;
    Trace trace;
    boolean v1;
    V1RequestReader.Layout layout;
    InferenceRequest request;
    PayloadLogger.Call call = PayloadLogger.Call.NONE;
    Message<byte[]> answer;

    @SuppressWarnings("unchecked")
    Pending(KafkaRecord<byte[], byte[]> record) {
      this.record = record;
      this.metadata = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
    }

    /** Where the record came from: the id of a request that brought none, stable across redelivery. */
    String coordinates() {
      return "%s-%d-%d".formatted(metadata.getTopic(), metadata.getPartition(), metadata.getOffset());
    }
  }

  /**
   * Answers one poll's records. Nothing is taken before the models have loaded, and a batch met by
   * shutdown is neither answered nor committed: it is redelivered when a server runs again.
   */
  @Incoming("inference-requests")
  public Uni<Void> process(KafkaRecordBatch<byte[], byte[]> batch) {
    return Uni.createFrom()
        .completionStage(server.started())
        .emitOn(VIRTUAL_THREADS)
        .map(started -> answer(batch.getRecords()))
        .invoke(this::refuseWhenShuttingDown)
        .chain(this::sendInOrder)
        .chain(() -> Uni.createFrom().completionStage(batch.ack()));
  }

  private void refuseWhenShuttingDown(List<Message<byte[]>> answers) {
    if (server.isDraining()) {
      throw new InferenceException.Unavailable(
          "Shutting down: this batch is left uncommitted, to be answered after a restart.");
    }
  }

  private List<Message<byte[]>> answer(List<KafkaRecord<byte[], byte[]>> records) {
    consumed.increment(records.size());
    List<Pending> pending = new ArrayList<>(records.size());
    List<Pending> events = new ArrayList<>(records.size());
    for (KafkaRecord<byte[], byte[]> record : records) {
      Pending one = new Pending(record);
      pending.add(one);
      try {
        one.event = InferenceEvent.read(record.getHeaders(), record.getPayload(), json);
        one.trace = tracer.start(Protocol.KAFKA, one.event.traceparent(), one.event.tracestate());
        one.v1 = isV1(one.event.data());
        events.add(one);
      } catch (IOException | RuntimeException e) {
        if (one.trace == null) {
          one.trace =
              tracer.start(
                  Protocol.KAFKA,
                  InferenceEvent.traceparent(record.getHeaders()),
                  InferenceEvent.tracestate(record.getHeaders()));
        }
        deadLetter(one, e);
      }
    }
    List<Answer> outcomes =
        inference.inferAll(
            events.stream()
                .map(one -> new Call(one.trace, one.event.model(), one.event.modelVersion(), metadata -> decode(one, metadata)))
                .toList());
    for (int i = 0; i < events.size(); i++) {
      Pending one = events.get(i);
      Answer outcome = outcomes.get(i);
      if (outcome.failure() != null) {
        deadLetter(one, outcome.failure());
      } else {
        respond(one, outcome.response());
      }
    }
    return pending.stream().map(p -> p.answer).toList();
  }

  /** Decodes an event's body against the metadata of the model instance that will answer it. */
  private InferenceRequest decode(Pending one, ModelMetadata metadata) throws IOException {
    InferenceEvent event = one.event;
    InferenceRequest request;
    if (one.v1) {
      V1RequestReader.Decoded decoded = v1Requests.read(event.data(), event.model(), event.modelVersion(), metadata);
      request = decoded.request();
      one.layout = decoded.layout();
    } else {
      request = v2Requests.read(event.data(), 0, event.data().length, ByteBuffer.allocate(0), event.model(), event.modelVersion());
    }
    String id = event.id() != null ? event.id() : request.id() != null ? request.id() : one.coordinates();
    one.request = request.id() == null ? request.withId(id) : request;
    startLog(one, id);
    return one.request;
  }

  /** Logs the request under the id its answer will carry; for a record that is not even an event, under no model. */
  private void startLog(Pending one, String id) {
    InferenceEvent event = one.event;
    one.call =
        logger.start(
            one.trace,
            event == null ? null : event.model(),
            event == null ? null : event.modelVersion(),
            id,
            null, // the broker's ACLs decided who may send
            () -> ByteBuffer.wrap(event == null ? one.record.getPayload() : event.data()),
            "application/json");
  }

  /** A KServe v1 body has "instances", or "inputs" holding rows rather than named tensors. */
  private boolean isV1(byte[] body) throws IOException {
    try (JsonParser parser = json.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("instances")) {
          return true;
        }
        if (field.equals("inputs")) {
          return value != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.START_OBJECT
              || !hasField(parser, "datatype");
        }
        parser.skipChildren();
      }
      return false;
    }
  }

  private static boolean hasField(JsonParser parser, String name) throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      if (parser.currentName().equals(name)) {
        return true;
      }
      parser.nextToken();
      parser.skipChildren();
    }
    return false;
  }

  private void respond(Pending one, InferenceResponse response) {
    byte[] body;
    try {
      body = one.v1 ? v1Responses.write(response, one.layout) : v2Body(one.request, response);
    } catch (IOException | RuntimeException e) {
      deadLetter(one, e);
      return;
    }
    one.call.answered(() -> ByteBuffer.wrap(body), "application/json");
    one.answer = answers.response(one.record, one.event, one.request.id(), one.trace.traceparent(), response, body);
    answered.increment();
  }

  private byte[] v2Body(InferenceRequest request, InferenceResponse response) throws IOException {
    ByteBuf out = Unpooled.buffer(256);
    v2Responses.write(request, response, out);
    return ByteBufUtil.getBytes(out);
  }

  private void deadLetter(Pending one, Throwable error) {
    if (one.call == PayloadLogger.Call.NONE) {
      startLog(one, one.event != null && one.event.id() != null ? one.event.id() : one.coordinates());
    }
    String reason =
        switch (error) {
          case JsonProcessingException json -> JsonErrors.describe(json);
          default -> error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        };
    one.call.failed(
        KafkaAnswers.status(error), () -> ByteBuffer.wrap(answers.errorBody(reason)), "application/json");
    one.answer = answers.deadLetter(one.record, one.metadata, one.trace.traceparent(), error, reason);
    deadLettered.increment();
  }

  /** Hands the answers to the producer in read order, and completes when the broker has them all. */
  private Uni<Void> sendInOrder(List<Message<byte[]>> messages) {
    if (messages.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    // Joining subscribes in list order, so the producer receives the answers in read order.
    List<Uni<Void>> sent = messages.stream().map(out::sendMessage).toList();
    return Uni.join().all(sent).andFailFast().replaceWithVoid();
  }
}
