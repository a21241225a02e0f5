package io.quiver.protocol.mlflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceService;
import io.quiver.core.registry.ModelRegistry;
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
 * MLflow's scoring protocol: {@code POST /invocations} as {@code mlflow models serve} answers it,
 * {@code {"predictions": ...}}; {@code GET /ping} is TorchServe's, whose status MLflow's clients
 * read alike. One server holds many models, so
 * {@code /invocations} serves the repository's only model (or its only MLflow model), and
 * {@code POST /models/<name>/invocations} any of them.
 */
@ApplicationScoped
public class MlflowRoutes {
  private final InferenceService inference;
  private final ModelRegistry registry;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final MlflowRequestReader requests;
  private final V1ResponseWriter responses;

  MlflowRoutes(
      InferenceService inference,
      ModelRegistry registry,
      RestResponder responder,
      RequestBodies bodies,
      ObjectMapper mapper) {
    this.inference = inference;
    this.registry = registry;
    this.responder = responder;
    this.bodies = bodies;
    this.requests = new MlflowRequestReader(mapper);
    this.responses = new V1ResponseWriter(mapper);
  }

  void register(@Observes Router router) {
    router.post("/invocations").handler(context -> bodies.read(context, (ctx, body) -> invoke(ctx, null, body)));
    router
        .post("/models/:model/invocations")
        .handler(context -> bodies.read(context, (ctx, body) -> invoke(ctx, ctx.pathParam("model"), body)));
  }

  private void invoke(RoutingContext context, String named, Buffer body) {
    responder.forBody(
        context,
        body,
        () -> {
          String model = named != null ? named : defaultModel();
          Trace trace = responder.startCall(context, Protocol.MLFLOW, model, null, body);
          inference.submit(
              trace,
              model,
              null,
              metadata -> requests.read(body.getBytes(), model, metadata),
              (response, failure) ->
                  responder.complete(
                      context, failure, () -> responder.send(context, 200, Buffer.buffer(responses.write(response, V1RequestReader.Layout.ROWS)))));
        });
  }

  private boolean isMlflow(String name) {
    try {
      return registry.ready(name, null).metadata().platform().equals("mlflow");
    } catch (InferenceException e) {
      return false;
    }
  }

  /** The model {@code /invocations} means: the only one, or else the only MLflow one. */
  private String defaultModel() {
    List<String> names = registry.modelNames();
    if (names.size() == 1) {
      return names.getFirst();
    }
    List<String> mlflow = names.stream().filter(this::isMlflow).toList();
    if (mlflow.size() != 1) {
      throw new InferenceException.InvalidInput(
          "POST /invocations needs the repository to hold one MLflow model; it holds %d (%s): use POST /models/<name>/invocations."
              .formatted(mlflow.size(), String.join(", ", mlflow)));
    }
    return mlflow.getFirst();
  }
}
