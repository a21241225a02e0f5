package io.quiver.protocol.torchserve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceService;
import io.quiver.core.Protocol;
import io.quiver.core.ServerLifecycle;
import io.quiver.core.Trace;
import io.quiver.core.registry.ModelInstance;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.protocol.rest.RequestBodies;
import io.quiver.protocol.rest.RestResponder;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * TorchServe's inference API for its users: {@code POST /predictions/<model>[/<version>]} with a
 * tensor body, {@code GET /ping}, and the management reads {@code GET /models} and {@code GET
 * /models/<model>} in TorchServe's JSON shape, on the same port as everything else.
 */
@ApplicationScoped
public class TorchServeRoutes {
  private final InferenceService inference;
  private final ModelRegistry registry;
  private final ServerLifecycle server;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final TorchServeCodec codec;

  TorchServeRoutes(
      InferenceService inference,
      ModelRegistry registry,
      ServerLifecycle server,
      RestResponder responder,
      RequestBodies bodies,
      ObjectMapper mapper) {
    this.inference = inference;
    this.registry = registry;
    this.server = server;
    this.responder = responder;
    this.bodies = bodies;
    this.codec = new TorchServeCodec(mapper.getFactory());
  }

  /** TorchServe's and MLflow's health check alike (MLflow's clients read only the status). */
  record Health(String status) {}

  record ModelEntry(String modelName, String modelUrl) {}

  record ModelList(List<ModelEntry> models) {}

  record Worker(String id, String status) {}

  record ModelDescription(
      String modelName,
      String modelVersion,
      String modelUrl,
      String runtime,
      int minWorkers,
      int maxWorkers,
      int batchSize,
      long maxBatchDelay,
      boolean loadedAtStartup,
      List<Worker> workers) {}

  void register(@Observes Router router) {
    router.get("/ping").handler(this::ping);
    router.post("/predictions/:model").handler(context -> bodies.read(context, this::predict));
    router.post("/predictions/:model/:version").handler(context -> bodies.read(context, this::predict));
    router.get("/models").handler(context -> responder.guarded(context, () -> responder.sendJson(context, 200, list(context))));
    router.get("/models/:model").handler(this::describe);
  }

  private void ping(RoutingContext context) {
    boolean ready = server.isReady();
    responder.sendJson(context, ready ? 200 : 503, new Health(ready ? "Healthy" : "Unhealthy"));
  }

  private void predict(RoutingContext context, Buffer body) {
    responder.forBody(
        context,
        body,
        () -> {
          String model = context.pathParam("model");
          String version = context.pathParam("version");
          Trace trace = responder.startCall(context, Protocol.TORCHSERVE, model, version, body);
          inference.submit(
              trace,
              model,
              version,
              metadata -> codec.read(body.getBytes(), model, version, metadata),
              (response, failure) ->
                  responder.complete(context, failure, () -> responder.send(context, 200, Buffer.buffer(codec.write(response)))));
        });
  }

  private ModelList list(RoutingContext context) {
    return new ModelList(
        registry.modelNames().stream().filter(name -> RestResponder.visible(context, name)).map(name -> new ModelEntry(name, name)).toList());
  }

  private void describe(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          List<ModelDescription> versions =
              registry.versions(name, null).stream().map(version -> description(name, version)).toList();
          responder.sendJson(context, 200, versions);
        });
  }

  private static ModelDescription description(String name, ModelVersion version) {
    ModelInstance instance = version.status().instance();
    int concurrency = instance == null ? 0 : instance.scheduler().concurrency();
    return new ModelDescription(
        name,
        version.version() == null ? "1.0" : version.version(),
        name,
        instance == null ? "" : instance.metadata().platform(),
        concurrency,
        concurrency,
        instance == null ? 1 : instance.scheduler().batching().maxBatchSize(),
        instance == null ? 0 : instance.scheduler().batching().maxDelay().toMillis(),
        true,
        List.of(new Worker("1", version.state().name())));
  }
}
