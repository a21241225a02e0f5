package io.quiver.protocol.rest;

import io.quiver.core.InferenceException;
import io.quiver.core.ServerLifecycle;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Once shutdown has passed its delay, every new request is answered at once with 503 and {@code
 * Connection: close}: keep-alive clients move to another replica, and the drain ends as soon as
 * the requests already running are done, not at the shutdown timeout.
 */
@ApplicationScoped
public class ShutdownRefusal {
  private final ServerLifecycle server;
  private final RestResponder responder;

  ShutdownRefusal(ServerLifecycle server, RestResponder responder) {
    this.server = server;
    this.responder = responder;
  }

  void register(@Observes Router router) {
    router
        .route()
        .order(-5)
        .handler(
            context -> {
              if (!server.isRefusing()) {
                context.next();
                return;
              }
              context.response().headers().set(HttpHeaders.CONNECTION, "close");
              responder.sendError(
                  context,
                  new InferenceException.Unavailable(
                      "The server is shutting down; send the request to another replica."));
            });
  }
}
