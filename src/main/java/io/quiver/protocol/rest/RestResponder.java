package io.quiver.protocol.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.ThrottledLog;
import io.quiver.core.Trace;
import io.quiver.core.Tracer;
import io.quiver.core.Protocol;
import io.quiver.observability.PayloadLogger;
import io.quiver.protocol.json.JsonErrors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Writes REST responses the way KServe's clients read them: JSON with a content type of exactly
 * {@code application/json} (KServe's Python client shows error text only then), errors as {@code
 * {"error": "..."}} with the status their kind calls for. Work that may block runs on a virtual
 * thread, never on the event loop.
 */
@ApplicationScoped
public class RestResponder {
  private static final Logger LOG = Logger.getLogger(RestResponder.class);
  private static final ThrottledLog UNEXPECTED = new ThrottledLog(LOG);
  public static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final int DECODE_ON_EVENT_LOOP_MAX_BYTES = 64 * 1024;

  /** The routing-context key of a call's payload log. */
  private static final String CALL = "quiver.payload-log";
  /** The routing-context key of a request's I/O context. */
  private static final String IO_CONTEXT = "quiver.io-context";

  private final ObjectMapper mapper;
  private final PayloadLogger logger;
  private final Tracer tracer;

  RestResponder(ObjectMapper mapper, PayloadLogger logger, Tracer tracer) {
    this.mapper = mapper;
    this.logger = logger;
    this.tracer = tracer;
  }

  /** The I/O context a request arrived on, and its thread: where its response is ended. */
  private record IoContext(Context context, Thread thread) {}

  /**
   * Remembers each request's I/O context. A response finished on a model's thread is handed back
   * to it, so that Vert.x completes every response, and moves on to the next pipelined request,
   * on the connection's own event loop.
   */
  void rememberIoContext(@Observes Router router) {
    router
        .route()
        .order(-4)
        .handler(
            context -> {
              context.put(IO_CONTEXT, new IoContext(Vertx.currentContext(), Thread.currentThread()));
              context.next();
            });
  }

  /** Paths nothing serves get a JSON 404 too, not an HTML page. */
  void answerUnknownPaths(@Observes Router router) {
    router
        .route()
        .order(Integer.MAX_VALUE)
        .handler(
            context ->
                sendJson(
                    context,
                    404,
                    Map.of("error", "Not Found: %s %s".formatted(context.request().method(), context.request().path()))));
  }

  /** Work that produces a response and may block or throw. */
  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  /**
   * Runs {@code work} for a request body: here when the body is small enough to decode in a few
   * microseconds, else on a virtual thread, so that decoding a large body never holds the event
   * loop.
   */
  public void forBody(RoutingContext context, Buffer body, Work work) {
    if (body.length() <= DECODE_ON_EVENT_LOOP_MAX_BYTES) {
      guarded(context, work);
    } else {
      offEventLoop(context, work);
    }
  }

  /** Sends a response, or the failure, once the core has answered. */
  public void complete(RoutingContext context, Throwable failure, Work send) {
    if (failure != null) {
      sendError(context, failure);
    } else {
      guarded(context, send);
    }
  }

  /** Runs {@code work} on a virtual thread; whatever it throws becomes an error response. */
  public void offEventLoop(RoutingContext context, Work work) {
    Thread.startVirtualThread(() -> guarded(context, work));
  }

  /** Runs {@code work} here; whatever it throws becomes an error response. */
  public void guarded(RoutingContext context, Work work) {
    try {
      work.run();
    } catch (Throwable error) {
      sendError(context, error);
    }
  }

  /** Sends {@code value} serialised as JSON. */
  public void sendJson(RoutingContext context, int status, Object value) {
    try {
      send(context, status, Buffer.buffer(mapper.writeValueAsBytes(value)));
    } catch (JsonProcessingException e) {
      sendError(context, e);
    }
  }

  /**
   * Starts an inference call: its trace, from the caller's W3C headers, and its payload log (its
   * request body is logged now, and whatever this responder later sends for the call is logged as
   * its response).
   */
  public Trace startCall(RoutingContext context, Protocol protocol, String model, String version, Buffer body) {
    HttpServerRequest request = context.request();
    Trace trace = tracer.start(protocol, request.getHeader("traceparent"), request.getHeader("tracestate"));
    String correlationId = request.getHeader("ce-id");
    if (correlationId == null) {
      correlationId = request.getHeader("x-request-id");
    }
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    context.put(
        CALL,
        logger.start(
            trace,
            model,
            version,
            correlationId,
            context.get(CALLER),
            () -> body.getByteBuf().nioBuffer(),
            contentType == null ? "application/json" : contentType));
    return trace;
  }

  /** The routing-context key of who is calling, as authenticated. */
  private static final String CALLER = "quiver.caller";

  /** Records who is calling (as authenticated: never the credential), for the payload log. */
  public static void identifyCaller(RoutingContext context, String subject) {
    context.put(CALLER, subject);
  }

  /** The routing-context key of the test which models a caller may see. */
  private static final String VISIBLE_MODELS = "quiver.visible-models";

  /**
   * Limits what this request's model lists show (an authentication check does, to the caller's
   * models); without it every model is visible.
   */
  public static void limitVisibleModels(RoutingContext context, Predicate<String> visible) {
    context.put(VISIBLE_MODELS, visible);
  }

  /** Whether this request's model lists may show {@code model}. */
  public static boolean visible(RoutingContext context, String model) {
    Predicate<String> visible = context.get(VISIBLE_MODELS);
    return visible == null || visible.test(model);
  }

  /** The Vert.x context a request arrived on: where writes to its response belong. */
  public Context ioContext(RoutingContext context) {
    IoContext io = context.get(IO_CONTEXT);
    return io != null ? io.context() : Vertx.currentContext();
  }

  /** Sends a JSON body already encoded. */
  public void send(RoutingContext context, int status, Buffer json) {
    send(context, status, APPLICATION_JSON, json);
  }

  /** Sends a body already encoded, and logs it as the call's response. */
  public void send(RoutingContext context, int status, CharSequence contentType, Buffer body) {
    IoContext io = context.get(IO_CONTEXT);
    if (io != null && io.thread() != Thread.currentThread()) {
      io.context().runOnContext(ignored -> end(context, status, contentType, body));
    } else {
      end(context, status, contentType, body);
    }
  }

  private void end(RoutingContext context, int status, CharSequence contentType, Buffer body) {
    HttpServerResponse response = context.response();
    if (response.ended() || response.closed()) {
      return;
    }
    // Logged before sending: once written, the body's buffer belongs to the connection.
    PayloadLogger.Call call = context.get(CALL);
    if (call != null) {
      if (status == 200) {
        call.answered(() -> body.getByteBuf().nioBuffer(), contentType.toString());
      } else {
        call.failed(status, () -> body.getByteBuf().nioBuffer(), contentType.toString());
      }
    }
    response.setStatusCode(status);
    response.headers().set(HttpHeaders.CONTENT_TYPE, contentType);
    response.end(body);
  }

  /** Maps any failure to its status and a {@code {"error": ...}} body. */
  public void sendError(RoutingContext context, Throwable error) {
    if (context.response().ended() || context.response().closed()) {
      return; // answered already, or the client went away: nobody to tell
    }
    int status = status(error);
    String message = message(error);
    if (status == 500 && !(error instanceof InferenceException)) {
      UNEXPECTED.error(error, "%s %s failed: %s".formatted(context.request().method(), context.request().path(), message));
    } else {
      // the caller's mistakes and failures the core reports (already logged where they arose)
      LOG.debugf("%s %s answered %d: %s", context.request().method(), context.request().path(), status, message);
    }
    sendJson(context, status, Map.of("error", message));
  }

  /** The HTTP status for a failure. */
  public static int status(Throwable error) {
    return switch (error) {
      case JsonProcessingException e -> 400;
      case PayloadTooLarge e -> 413;
      default -> InferenceException.httpStatus(error);
    };
  }

  private static String message(Throwable error) {
    if (error instanceof JsonProcessingException json) {
      return JsonErrors.describe(json);
    }
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }

  /** A request body over the configured limit. */
  public static final class PayloadTooLarge extends RuntimeException {
    public PayloadTooLarge(long limit) {
      super(
          "Request body is larger than the limit of %d bytes (quarkus.http.limits.max-body-size)."
              .formatted(limit),
          null,
          false,
          false);
    }
  }
}
