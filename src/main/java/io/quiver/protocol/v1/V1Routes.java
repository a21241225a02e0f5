package io.quiver.protocol.v1;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceService;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.registry.ModelInstance;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelVersion;
import io.quiver.protocol.json.ExampleRequests;
import io.quiver.protocol.json.TfServingModels;
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
 * KServe's v1 protocol, which is TensorFlow Serving's REST API: {@code GET /}, the model list,
 * {@code GET /v1/models/<m>[/versions/<v>]} (KServe's readiness, or TF Serving's version status for
 * SavedModels and any addressed version), {@code .../metadata} (signature defs), and {@code
 * :predict}, {@code :classify}, {@code :regress} and {@code :explain}, each with an optional
 * {@code /versions/<v>}. Unlike KServe, readiness is a boolean (KServe answers the string "True").
 */
@ApplicationScoped
public class V1Routes {
  private final InferenceService inference;
  private final ModelRegistry registry;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final V1RequestReader requests;
  private final V1ResponseWriter responses;
  private final ExampleRequests examples;
  private final TfServingModels tfServing;

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
    this.examples = new ExampleRequests(mapper);
    this.tfServing = new TfServingModels(mapper);
  }

  record Alive(String status) {}

  record ModelList(List<String> models) {}

  record ModelReady(String name, boolean ready) {}

  void register(@Observes Router router) {
    router.get("/").handler(context -> responder.sendJson(context, 200, new Alive("alive")));
    router.get("/v1/models").handler(this::listModels);
    router.get("/v1/models/:model").handler(this::modelStatus);
    router.get("/v1/models/:model/versions/:version").handler(this::modelStatus);
    router.get("/v1/models/:model/metadata").handler(this::modelMetadata);
    router.get("/v1/models/:model/versions/:version/metadata").handler(this::modelMetadata);
    router.post("/v1/models/:verb").handler(context -> bodies.read(context, this::call));
    router.post("/v1/models/:model/versions/:verb").handler(context -> bodies.read(context, this::call));
  }

  private void listModels(RoutingContext context) {
    responder.sendJson(context, 200, new ModelList(registry.modelNames().stream().filter(name -> RestResponder.visible(context, name)).toList()));
  }

  /**
   * KServe's readiness; TF Serving's status when a version is addressed or the model is a
   * SavedModel (whose KServe runtime is TF Serving itself).
   */
  private void modelStatus(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          String version = context.pathParam("version");
          ModelVersion addressed = registry.resolve(name, version);
          ModelVersion.Status status = addressed.status();
          boolean savedModel = status.state() == ModelState.READY && !status.instance().metadata().signatures().isEmpty();
          if (version == null && !savedModel) {
            responder.sendJson(context, 200, new ModelReady(name, addressed.isReady()));
            return;
          }
          List<ModelVersion> versions = version == null ? registry.versions(name, null) : List.of(addressed);
          responder.sendJson(context, 200, tfServing.status(versions));
        });
  }

  private void modelMetadata(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          ModelInstance instance = registry.ready(name, context.pathParam("version"));
          responder.sendJson(context, 200, tfServing.metadata(name, instance.version(), instance.metadata()));
        });
  }

  /** The path's last segment is {@code <model>:<verb>} (or {@code <version>:<verb>} after {@code /versions/}). */
  private void call(RoutingContext context, Buffer body) {
    String target = context.pathParam("verb");
    int colon = target.lastIndexOf(':');
    String addressed = colon < 0 ? target : target.substring(0, colon);
    String verb = colon < 0 ? "" : target.substring(colon + 1);
    String model = context.pathParam("model") != null ? context.pathParam("model") : addressed;
    String version = context.pathParam("model") != null ? addressed : null;
    boolean inference = verb.equals("predict") || verb.equals("classify") || verb.equals("regress");
    Trace trace = inference ? responder.startCall(context, Protocol.V1, model, version, body) : null;
    responder.forBody(
        context,
        body,
        () -> {
          switch (verb) {
            case "predict" -> predict(context, trace, model, version, body);
            case "classify" -> classifyOrRegress(context, trace, model, version, body, ExampleRequests.Kind.CLASSIFY);
            case "regress" -> classifyOrRegress(context, trace, model, version, body, ExampleRequests.Kind.REGRESS);
            default -> {
              registry.resolve(model, version);
              throw verb.equals("explain")
                  ? new InferenceException.NotImplemented("Model %s has no explainer.".formatted(model))
                  : new InferenceException.ModelNotFound(
                      "Unknown verb '%s': use /v1/models/%s:predict (or :classify, :regress).".formatted(verb, model));
            }
          }
        });
  }

  private void predict(RoutingContext context, Trace trace, String model, String version, Buffer body) {
    V1RequestReader.Decoded[] decoded = new V1RequestReader.Decoded[1];
    inference.submit(
        trace,
        model,
        version,
        metadata -> (decoded[0] = requests.read(body.getBytes(), model, version, metadata)).request(),
        (response, failure) ->
            responder.complete(
                context,
                failure,
                () -> responder.send(context, 200, Buffer.buffer(responses.write(response, decoded[0].layout())))));
  }

  private void classifyOrRegress(
      RoutingContext context, Trace trace, String model, String version, Buffer body, ExampleRequests.Kind kind) {
    inference.submit(
        trace,
        model,
        version,
        metadata -> examples.read(body.getBytes(), kind, model, version, metadata),
        (response, failure) ->
            responder.complete(context, failure, () -> responder.send(context, 200, Buffer.buffer(examples.write(response, kind)))));
  }
}
