package io.quiver.protocol.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Collects request bodies as raw bytes, whatever content type the client claims (KServe's client
 * sends none, curl sends a form type), up to {@code quarkus.http.limits.max-body-size}; a larger
 * body is answered with 413 and a JSON error, as every other error is answered.
 */
@ApplicationScoped
public class RequestBodies {
  private final long limit;
  private final RestResponder responder;

  RequestBodies(
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
      RestResponder responder) {
    this.limit = limit.asLongValue();
    this.responder = responder;
  }

  /**
   * Answers requests that announce a body over the limit before Quarkus's own limit handler (route
   * order -2) answers them with an empty 413.
   */
  void rejectAnnouncedOversizedBodies(@Observes Router router) {
    router
        .route()
        .order(-3)
        .handler(
            context -> {
              String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && parsesAbove(length, limit)) {
                tooLarge(context);
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

  /** The routing-context key of a body already read (by a check that needed it before the route). */
  private static final String READ_BODY = "quiver.body";

  /** Keeps a body read before the route, for the route's {@link #read}. */
  public static void keep(RoutingContext context, Buffer body) {
    context.put(READ_BODY, body);
  }

  /** Reads the whole body, then hands it to {@code handler} (on the event loop). */
  public void read(RoutingContext context, BiConsumer<RoutingContext, Buffer> handler) {
    Buffer kept = context.get(READ_BODY);
    if (kept != null) {
      handler.accept(context, kept);
      return;
    }
    HttpServerRequest request = context.request();
    Buffer body = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.length() + (long) chunk.length() > limit) {
            request.handler(null);
            tooLarge(context);
          } else {
            body.appendBuffer(chunk);
          }
        });
    request.endHandler(
        end -> {
          if (!context.response().ended()) {
            handler.accept(context, body);
          }
        });
    request.exceptionHandler(error -> responder.sendError(context, error));
    request.resume();
  }

  private void tooLarge(RoutingContext context) {
    context.response().headers().set(HttpHeaders.CONNECTION, "close");
    responder.sendError(context, new RestResponder.PayloadTooLarge(limit));
  }
}
