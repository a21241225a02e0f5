package io.quiver.security;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quiver.protocol.grpc.TraceHeaders;
import io.quiver.security.Caller.Right;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * gRPC's side of authentication: metadata {@code authorization: Bearer ...} (or {@code
 * x-api-key}), or a listed client certificate (mutual TLS); UNAUTHENTICATED without an acceptable one, PERMISSION_DENIED for a caller without
 * the right on the model the request names. ServerLive and ServerReady stay open.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcGuard implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> OPEN = Set.of("ServerLive", "ServerReady");
  private static final Set<String> ADMIN = Set.of("RepositoryModelLoad", "RepositoryModelUnload", "RepositoryIndex");
  private static final Set<String> ABOUT_A_MODEL =
      Set.of("ModelInfer", "ModelMetadata", "ModelReady", "ModelConfig", "ModelStatistics", "RepositoryModelLoad", "RepositoryModelUnload");

  private final Authenticator authenticator;

  GrpcGuard(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Req, Resp> ServerCall.Listener<Req> interceptCall(ServerCall<Req, Resp> call, Metadata headers, ServerCallHandler<Req, Resp> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (!authenticator.enabled() || OPEN.contains(method)) {
      return next.startCall(call, headers);
    }
    Caller caller;
    try {
      String authorization = headers.get(AUTHORIZATION);
      String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).strip() : null;
      String apiKey = headers.get(API_KEY);
      Caller certified = bearer == null && apiKey == null ? certified(call) : null;
      caller = certified != null ? certified : authenticator.authenticate(bearer, apiKey);
    } catch (AuthenticationFailure e) {
      call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Right right = ADMIN.contains(method) ? Right.ADMIN : Right.INFER;
    Context identified = Context.current().withValue(TraceHeaders.CALLER, caller.subject());
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(Contexts.interceptCall(identified, call, headers, next)) {
      private boolean refused;

      @Override
      public void onMessage(Req request) {
        String model = ABOUT_A_MODEL.contains(method) ? modelName(request) : "*";
        if (!caller.may(model, right)) {
          refused = true;
          authenticator.forbidden();
          call.close(
              Status.PERMISSION_DENIED.withDescription("%s may not call %s: it needs scope %s.".formatted(caller.subject(), method, Caller.scope(model, right))),
              new Metadata());
          return;
        }
        super.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /** The caller a verified client certificate (mutual TLS) stands for, or null. */
  private Caller certified(ServerCall<?, ?> call) {
    javax.net.ssl.SSLSession session = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    try {
      java.security.cert.Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate certificate
          ? authenticator.byCertificate(certificate.getSubjectX500Principal().getName())
          : null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null; // no client certificate: other credentials decide
    }
  }

  /** The model a request names ({@code model_name} or {@code name}); {@code *} when it names none. */
  private static String modelName(Object request) {
    if (request instanceof Message message) {
      for (String field : new String[] {"model_name", "name"}) {
        FieldDescriptor descriptor = message.getDescriptorForType().findFieldByName(field);
        if (descriptor != null && message.getField(descriptor) instanceof String name && !name.isEmpty()) {
          return name;
        }
      }
    }
    return "*";
  }
}
