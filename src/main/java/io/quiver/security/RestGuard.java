package io.quiver.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.protocol.rest.RequestBodies;
import io.quiver.protocol.rest.RestResponder;
import io.quiver.security.Caller.Right;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks every REST call's credential and rights before any route sees it, when authentication is
 * on (a token not seen before is verified off the event loop, since that may fetch a JWKS): 401 with {@code WWW-Authenticate: Bearer} for a missing or unacceptable credential, 403
 * naming the missing scope for a caller without the right. OpenAI's routes answer in OpenAI's
 * error shape; their model is read from the body, which is then handed to the route as read.
 */
@ApplicationScoped
public class RestGuard {
  private final Authenticator authenticator;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final ObjectMapper json;

  RestGuard(Authenticator authenticator, RestResponder responder, RequestBodies bodies, ObjectMapper json) {
    this.authenticator = authenticator;
    this.responder = responder;
    this.bodies = bodies;
    this.json = json;
  }

  void register(@Observes Router router) {
    if (!authenticator.enabled()) {
      return;
    }
    router.route().order(-1).handler(this::check);
  }

  private void check(RoutingContext context) {
    String path = context.request().path();
    if (authenticator.open(path)) {
      context.next();
      return;
    }
    if (authenticator.needsVerification(bearer(context.request().getHeader("Authorization")), context.request().getHeader("X-API-Key"))) {
      context.vertx()
          .executeBlocking(() -> caller(context), false)
          .onComplete(
              done -> {
                if (done.succeeded()) {
                  proceed(context, done.result());
                } else if (done.cause() instanceof AuthenticationFailure failure) {
                  unauthenticated(context, failure);
                } else {
                  responder.sendError(context, done.cause());
                }
              });
      return;
    }
    try {
      proceed(context, caller(context));
    } catch (AuthenticationFailure e) {
      unauthenticated(context, e);
    }
  }

  private void unauthenticated(RoutingContext context, AuthenticationFailure failure) {
    context.response().putHeader("WWW-Authenticate", "Bearer");
    refuse(context, 401, failure.getMessage(), "invalid_api_key");
  }

  /** The route's rights checked for an authenticated caller; the route runs if they hold. */
  private void proceed(RoutingContext context, Caller caller) {
    String path = context.request().path();
    RestResponder.identifyCaller(context, caller.subject());
    String method = context.request().method().name();
    if (RouteRights.modelInBody(method, path)) {
      bodies.read(
          context,
          (ctx, body) -> {
            if (permitted(ctx, caller, modelOf(body), Right.INFER)) {
              RequestBodies.keep(ctx, body);
              ctx.next();
            }
          });
      return;
    }
    RouteRights.Needed needed = RouteRights.of(method, path);
    if (needed.model() == null) {
      RestResponder.limitVisibleModels(context, model -> caller.may(model, needed.right()));
      context.next();
    } else if (permitted(context, caller, needed.model(), needed.right())) {
      context.next();
    }
  }

  /** Who calls: by a bearer token or API key, else by a listed client certificate. */
  private Caller caller(RoutingContext context) {
    String bearer = bearer(context.request().getHeader("Authorization"));
    String apiKey = context.request().getHeader("X-API-Key");
    Caller certified = bearer == null && apiKey == null ? certified(context) : null;
    return certified != null ? certified : authenticator.authenticate(bearer, apiKey);
  }

  /** The caller a verified client certificate (mutual TLS) stands for, or null. */
  private Caller certified(RoutingContext context) {
    if (!context.request().isSSL()) {
      return null;
    }
    try {
      java.util.List<java.security.cert.Certificate> chain = context.request().connection().peerCertificates();
      if (chain != null && !chain.isEmpty() && chain.getFirst() instanceof java.security.cert.X509Certificate certificate) {
        return authenticator.byCertificate(certificate.getSubjectX500Principal().getName());
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      // no client certificate: other credentials decide
    }
    return null;
  }

  private boolean permitted(RoutingContext context, Caller caller, String model, Right right) {
    if (caller.may(model, right)) {
      return true;
    }
    authenticator.forbidden();
    refuse(
        context,
        403,
        "%s may not do this: it needs scope %s%s."
            .formatted(caller.subject(), Caller.scope(model, right), model.equals("*") ? "" : " (or " + Caller.scope("*", right) + ")"),
        "insufficient_permissions");
    return false;
  }

  /** The model a request body names; {@code *} (every model) when it names none. */
  private String modelOf(Buffer body) {
    try {
      JsonNode model = json.readTree(body.getBytes()).path("model");
      return model.isTextual() && !model.asText().isEmpty() ? model.asText() : "*";
    } catch (java.io.IOException e) {
      return "*";
    }
  }

  private void refuse(RoutingContext context, int status, String message, String openAiCode) {
    Object body;
    if (context.request().path().startsWith("/openai/")) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("message", message);
      error.put("type", "invalid_request_error");
      error.put("param", null);
      error.put("code", openAiCode);
      body = Map.of("error", error);
    } else {
      body = Map.of("error", message);
    }
    responder.sendJson(context, status, body);
  }

  private static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : null;
  }
}
