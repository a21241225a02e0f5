package io.quiver.support;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenTelemetry collector's OTLP/gRPC trace endpoint ({@code
 * opentelemetry.proto.collector.trace.v1.TraceService/Export}) that keeps every span it is sent,
 * read from the protobuf wire format by field number.
 */
public final class OtlpReceiver implements AutoCloseable {
  private static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

  /** A span as exported; ids in lower-case hex, the parent empty for a root span. */
  public record Span(String traceId, String spanId, String parentSpanId, String name, int kind, Map<String, String> attributes) {}

  private final Server server;
  private final boolean keepSpans;
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final AtomicLong received = new AtomicLong();

  private OtlpReceiver(boolean keepSpans) {
    this.keepSpans = keepSpans;
    MethodDescriptor<byte[], byte[]> export =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(
                export,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      List<Span> exported = parse(request);
                      received.addAndGet(exported.size());
                      if (keepSpans) {
                        spans.addAll(exported);
                      }
                      response.onNext(new byte[0]); // an empty ExportTraceServiceResponse
                      response.onCompleted();
                    }))
            .build();
    try {
      server = ServerBuilder.forPort(0).addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static OtlpReceiver start() {
    return new OtlpReceiver(true);
  }

  /** A receiver that only counts the spans it is sent, for load that would fill the memory. */
  public static OtlpReceiver counting() {
    return new OtlpReceiver(false);
  }

  public String endpoint() {
    return "http://localhost:" + server.getPort();
  }

  public List<Span> spans() {
    return List.copyOf(spans);
  }

  /** How many spans were exported to this receiver. */
  public long received() {
    return received.get();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  /** ExportTraceServiceRequest(1: resource_spans) / ResourceSpans(2: scope_spans) / ScopeSpans(2: spans). */
  private static List<Span> parse(byte[] request) {
    List<Span> parsed = new java.util.ArrayList<>();
    try {
      for (ByteString resource : fields(UnknownFieldSet.parseFrom(request), 1)) {
        for (ByteString scope : fields(UnknownFieldSet.parseFrom(resource), 2)) {
          for (ByteString span : fields(UnknownFieldSet.parseFrom(scope), 2)) {
            parsed.add(span(UnknownFieldSet.parseFrom(span)));
          }
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("not an OTLP trace export", e);
    }
    return parsed;
  }

  /** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes (KeyValue: 1 key, 2 AnyValue). */
  private static Span span(UnknownFieldSet span) throws InvalidProtocolBufferException {
    Map<String, String> attributes = new HashMap<>();
    for (ByteString attribute : fields(span, 9)) {
      UnknownFieldSet keyValue = UnknownFieldSet.parseFrom(attribute);
      UnknownFieldSet value = UnknownFieldSet.parseFrom(fields(keyValue, 2).getFirst());
      // AnyValue: 1 string_value, 3 int_value
      String text =
          value.hasField(1)
              ? value.getField(1).getLengthDelimitedList().getFirst().toStringUtf8()
              : String.valueOf(value.getField(3).getVarintList().getFirst());
      attributes.put(fields(keyValue, 1).getFirst().toStringUtf8(), text);
    }
    return new Span(
        hex(span, 1),
        hex(span, 2),
        hex(span, 4),
        fields(span, 5).getFirst().toStringUtf8(),
        span.hasField(6) ? span.getField(6).getVarintList().getFirst().intValue() : 0,
        attributes);
  }

  private static List<ByteString> fields(UnknownFieldSet message, int number) {
    return message.hasField(number) ? message.getField(number).getLengthDelimitedList() : List.of();
  }

  private static String hex(UnknownFieldSet message, int number) {
    List<ByteString> values = fields(message, number);
    return values.isEmpty() ? "" : HexFormat.of().formatHex(values.getFirst().toByteArray());
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
}
