package io.quiver.protocol.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Collects request bodies up to the configured limit ({@code quarkus.http.limits.max-body-size})
 * and answers larger ones with 413 and a JSON error, as every other error is answered.
 */
@ApplicationScoped
public class RequestBodies {
  private final long limit;
  private final BodyHandler bodyHandler;
  private final RestResponder responder;

  RequestBodies(
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
      RestResponder responder) {
    this.limit = limit.asLongValue();
    this.bodyHandler = BodyHandler.create(false).setBodyLimit(this.limit).setHandleFileUploads(false);
    this.responder = responder;
  }

  /**
   * Answers requests that announce a body over the limit with a JSON 413 before Quarkus's own limit
   * handler (route order -2) answers them with an empty one.
   */
  void rejectOversizedBodies(@Observes Router router) {
    router
        .route()
        .order(-3)
        .handler(
            context -> {
              String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && parsesAbove(length, limit)) {
                context.response().headers().set(HttpHeaders.CONNECTION, "close");
                responder.sendError(context, new RestResponder.PayloadTooLarge(limit));
              } else {
                context.next();
              }
            });
  }

  private static boolean parsesAbove(String length, long limit) {
    try {
      return Long.parseLong(length.trim()) > limit;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Makes {@code route} collect the body before its handler runs. */
  public Route withBody(Route route) {
    return route.handler(bodyHandler).failureHandler(this::onFailure);
  }

  private void onFailure(RoutingContext context) {
    if (context.statusCode() == 413) {
      responder.sendError(context, new RestResponder.PayloadTooLarge(limit));
    } else if (context.failure() != null) {
      responder.sendError(context, context.failure());
    } else {
      context.next();
    }
  }
}
