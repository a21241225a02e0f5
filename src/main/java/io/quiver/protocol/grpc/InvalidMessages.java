package io.quiver.protocol.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a service answer a request message that cannot be parsed with INVALID_ARGUMENT, naming the
 * method. grpc-java parses requests before any service or interceptor code runs, and turns a parse
 * failure into UNKNOWN "Application error processing RPC" with a logged stack trace: a client's
 * mistake reported as the server's, at the client's pace. Here the parse failure becomes a marker
 * the method answers itself.
 */
final class InvalidMessages {
  /** What a method receives in place of a request that could not be parsed. */
  private static final Object UNPARSEABLE = new Object();

  private InvalidMessages() {}

  /** The same service, answering unparseable requests itself. */
  static ServerServiceDefinition refusedAsInvalid(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<Object, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<Object, ?> tolerant = tolerant(method);
      methods.add(tolerant);
      descriptor.addMethod(tolerant.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(wrapped::addMethod);
    return wrapped.build();
  }

  private static <Req, Resp> ServerMethodDefinition<Object, Resp> tolerant(ServerMethodDefinition<Req, Resp> method) {
    MethodDescriptor<Req, Resp> typed = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<Object> parseOrMark =
        new MethodDescriptor.Marshaller<>() {
          @Override
          @SuppressWarnings("unchecked")
          public InputStream stream(Object value) {
            return typed.streamRequest((Req) value);
          }

          @Override
          public Object parse(InputStream stream) {
            try {
              return typed.parseRequest(stream);
            } catch (RuntimeException e) {
              return UNPARSEABLE;
            }
          }
        };
    MethodDescriptor<Object, Resp> marked = typed.toBuilder(parseOrMark, typed.getResponseMarshaller()).build();
    ServerCallHandler<Object, Resp> handler =
        (call, headers) -> {
          ServerCall.Listener<Req> listener =
              method.getServerCallHandler().startCall(new TypedCall<>(call, typed), headers);
          return new RefusingListener<>(call, typed, listener);
        };
    return ServerMethodDefinition.create(marked, handler);
  }

  /** Passes requests on, or ends the call with INVALID_ARGUMENT for one that could not be parsed. */
  private static final class RefusingListener<Req, Resp> extends ServerCall.Listener<Object> {
    private final ServerCall<Object, Resp> call;
    private final MethodDescriptor<Req, Resp> typed;
    private final ServerCall.Listener<Req> delegate;
    private boolean refused;

    RefusingListener(ServerCall<Object, Resp> call, MethodDescriptor<Req, Resp> typed, ServerCall.Listener<Req> delegate) {
      this.call = call;
      this.typed = typed;
      this.delegate = delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Object message) {
      if (message != UNPARSEABLE) {
        delegate.onMessage((Req) message);
        return;
      }
      refused = true;
      call.close(
          Status.INVALID_ARGUMENT.withDescription(
              "The %s request message could not be parsed (not a valid protobuf message of its type)."
                  .formatted(typed.getBareMethodName())),
          new Metadata());
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      delegate.onCancel();
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }

    @Override
    public void onReady() {
      if (!refused) {
        delegate.onReady();
      }
    }
  }

  /** The raw call as the typed handler sees it: only its method descriptor differs. */
  private static final class TypedCall<Req, Resp> extends ServerCall<Req, Resp> {
    private final ServerCall<Object, Resp> raw;
    private final MethodDescriptor<Req, Resp> typed;

    TypedCall(ServerCall<Object, Resp> raw, MethodDescriptor<Req, Resp> typed) {
      this.raw = raw;
      this.typed = typed;
    }

    @Override
    public void request(int count) {
      raw.request(count);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      raw.sendHeaders(headers);
    }

    @Override
    public void sendMessage(Resp message) {
      raw.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return raw.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      raw.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return raw.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      raw.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      raw.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      raw.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return raw.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return raw.getAttributes();
    }

    @Override
    public String getAuthority() {
      return raw.getAuthority();
    }

    @Override
    public MethodDescriptor<Req, Resp> getMethodDescriptor() {
      return typed;
    }
  }
}
