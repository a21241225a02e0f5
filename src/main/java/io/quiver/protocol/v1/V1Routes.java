package io.quiver.protocol.v1;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceService;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.protocol.json.V1RequestReader;
import io.quiver.protocol.json.V1ResponseWriter;
import io.quiver.protocol.rest.RequestBodies;
import io.quiver.protocol.rest.RestResponder;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * KServe's v1 protocol: {@code GET /}, the model list and readiness, {@code :predict} and
 * {@code :explain}. Unlike KServe, readiness is a boolean (KServe answers the string "True").
 */
@ApplicationScoped
public class V1Routes {
  private final InferenceService inference;
  private final ModelRegistry registry;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final V1RequestReader requests;
  private final V1ResponseWriter responses;

  V1Routes(
      InferenceService inference,
      ModelRegistry registry,
      RestResponder responder,
      RequestBodies bodies,
      ObjectMapper mapper) {
    this.inference = inference;
    this.registry = registry;
    this.responder = responder;
    this.bodies = bodies;
    this.requests = new V1RequestReader(mapper);
    this.responses = new V1ResponseWriter(mapper);
  }

  record Alive(String status) {}

  record ModelList(List<String> models) {}

  record ModelReady(String name, boolean ready) {}

  void register(@Observes Router router) {
    router.get("/").handler(context -> responder.sendJson(context, 200, new Alive("alive")));
    router.get("/v1/models").handler(this::listModels);
    router.get("/v1/models/:model").handler(this::modelReady);
    router.post("/v1/models/:verb").handler(context -> bodies.read(context, this::predictOrExplain));
  }

  private void listModels(RoutingContext context) {
    responder.sendJson(context, 200, new ModelList(registry.modelNames()));
  }

  private void modelReady(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          ModelVersion version = registry.resolve(name, null);
          responder.sendJson(context, 200, new ModelReady(name, version.isReady()));
        });
  }

  /** The path's last segment is {@code <model>:predict} or {@code <model>:explain}. */
  private void predictOrExplain(RoutingContext context, Buffer body) {
    String target = context.pathParam("verb");
    int colon = target.lastIndexOf(':');
    String model = colon < 0 ? target : target.substring(0, colon);
    String verb = colon < 0 ? "" : target.substring(colon + 1);
    Trace trace = verb.equals("predict") ? responder.startCall(context, Protocol.V1, model, null, body) : null;
    responder.forBody(
        context,
        body,
        () -> {
          if (verb.equals("predict")) {
            predict(context, trace, model, body);
            return;
          }
          registry.resolve(model, null);
          throw verb.equals("explain")
              ? new InferenceException.NotImplemented("Model %s has no explainer.".formatted(model))
              : new InferenceException.ModelNotFound(
                  "Unknown verb '%s': use /v1/models/%s:predict.".formatted(verb, model));
        });
  }

  private void predict(RoutingContext context, Trace trace, String model, Buffer body) {
    inference.submit(
        trace,
        model,
        null,
        metadata -> requests.read(body.getBytes(), model, null, metadata),
        (response, failure) ->
            responder.complete(
                context, failure, () -> responder.send(context, 200, Buffer.buffer(responses.write(response)))));
  }
}
