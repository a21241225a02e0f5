package io.quiver.protocol.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/** Makes a call's W3C trace headers ({@code traceparent}, {@code tracestate}) readable by the service. */
@ApplicationScoped
public class TraceHeaders implements ServerInterceptor {
  static final Context.Key<String> TRACEPARENT = Context.key("traceparent");
  static final Context.Key<String> TRACESTATE = Context.key("tracestate");
  /** Who is calling, as an authentication interceptor established it; for the payload log. */
  public static final Context.Key<String> CALLER = Context.key("quiver-caller");
  private static final Metadata.Key<String> TRACEPARENT_HEADER =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE_HEADER =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Req, Resp> ServerCall.Listener<Req> interceptCall(
      ServerCall<Req, Resp> call, Metadata headers, ServerCallHandler<Req, Resp> next) {
    String traceparent = headers.get(TRACEPARENT_HEADER);
    if (traceparent == null) {
      return next.startCall(call, headers);
    }
    Context traced = Context.current().withValues(TRACEPARENT, traceparent, TRACESTATE, headers.get(TRACESTATE_HEADER));
    return Contexts.interceptCall(traced, call, headers, next);
  }
}
