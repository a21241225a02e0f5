package io.quiver.protocol.v2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceResponse;
import io.quiver.core.InferenceService;
import io.quiver.core.ServerLifecycle;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.protocol.json.V2RequestReader;
import io.quiver.protocol.json.V2ResponseWriter;
import io.quiver.protocol.rest.RequestBodies;
import io.quiver.protocol.rest.RestResponder;
import io.quiver.protocol.v2.V2Messages.IndexRow;
import io.quiver.protocol.v2.V2Messages.Live;
import io.quiver.protocol.v2.V2Messages.Loaded;
import io.quiver.protocol.v2.V2Messages.ModelList;
import io.quiver.protocol.v2.V2Messages.ModelMetadataResponse;
import io.quiver.protocol.v2.V2Messages.ModelReady;
import io.quiver.protocol.v2.V2Messages.Ready;
import io.quiver.protocol.v2.V2Messages.ServerMetadata;
import io.quiver.protocol.v2.V2Messages.Statistics;
import io.quiver.protocol.v2.V2Messages.VersionStatistics;
import io.quiver.protocol.v2.V2Messages.Unloaded;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The Open Inference Protocol (v2) over REST, as KServe and Triton serve it: health, server and
 * model metadata, inference (JSON and the binary tensor data extension) and the model repository
 * extension. Decodes, calls the core, encodes; nothing else.
 */
@ApplicationScoped
public class V2Routes {
  /** Triton's JSON for a model configuration: proto field names, every field, 64-bit integers as strings. */
  private static final JsonFormat.Printer CONFIG_JSON =
      JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  private static final CharSequence OCTET_STREAM =
      HttpHeaders.createOptimized("application/octet-stream");

  private final InferenceService inference;
  private final ModelRegistry registry;
  private final ServerLifecycle server;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final V2RequestReader requests;
  private final V2ResponseWriter responses;
  private final ObjectMapper mapper;

  V2Routes(
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
    this.requests = new V2RequestReader(mapper);
    this.responses = new V2ResponseWriter(mapper);
    this.mapper = mapper;
  }

  void register(@Observes Router router) {
    router.get("/v2").handler(this::serverMetadata);
    router.get("/v2/health/live").handler(this::live);
    router.get("/v2/health/ready").handler(this::ready);
    router.get("/v2/models").handler(this::listModels);
    router.get("/v2/models/stats").handler(this::statistics);
    router.get("/v2/models/:model/stats").handler(this::statistics);
    router.get("/v2/models/:model/versions/:version/stats").handler(this::statistics);
    router.get("/v2/models/:model/config").handler(this::modelConfig);
    router.get("/v2/models/:model/versions/:version/config").handler(this::modelConfig);
    router.get("/v2/models/:model").handler(this::modelMetadata);
    router.get("/v2/models/:model/ready").handler(this::modelReady);
    router.get("/v2/models/:model/versions/:version").handler(this::modelMetadata);
    router.get("/v2/models/:model/versions/:version/ready").handler(this::modelReady);
    router.post("/v2/models/:model/infer").handler(context -> bodies.read(context, this::infer));
    router.post("/v2/models/:model/versions/:version/infer").handler(context -> bodies.read(context, this::infer));
    router.post("/v2/repository/index").handler(context -> bodies.read(context, this::index));
    router.post("/v2/repository/models/:model/load").handler(context -> bodies.read(context, this::load));
    router.post("/v2/repository/models/:model/unload").handler(context -> bodies.read(context, this::unload));
  }

  private void serverMetadata(RoutingContext context) {
    responder.sendJson(
        context, 200, new ServerMetadata(server.name(), server.version(), ServerLifecycle.EXTENSIONS));
  }

  private void live(RoutingContext context) {
    responder.sendJson(context, 200, new Live(server.isLive()));
  }

  private void ready(RoutingContext context) {
    boolean ready = server.isReady();
    responder.sendJson(context, ready ? 200 : 503, new Ready(ready));
  }

  private void listModels(RoutingContext context) {
    responder.sendJson(context, 200, new ModelList(registry.modelNames().stream().filter(name -> RestResponder.visible(context, name)).toList()));
  }

  /** Triton's statistics extension: every served version's, one model's, or one version's. */
  private void statistics(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          List<ModelVersion> versions = registry.versions(context.pathParam("model"), context.pathParam("version"));
          responder.sendJson(context, 200, new Statistics(versions.stream().map(VersionStatistics::of).toList()));
        });
  }

  /** Triton's model configuration extension: the version's configuration as Triton's JSON. */
  private void modelConfig(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          ModelConfig config = registry.ready(context.pathParam("model"), context.pathParam("version")).config();
          responder.send(context, 200, Buffer.buffer(CONFIG_JSON.print(config)));
        });
  }

  private void modelMetadata(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          ModelMetadata metadata = registry.ready(name, context.pathParam("version")).metadata();
          responder.sendJson(
              context,
              200,
              ModelMetadataResponse.of(name, registry.model(name).versionLabels(), metadata));
        });
  }

  private void modelReady(RoutingContext context) {
    responder.guarded(
        context,
        () -> {
          String name = context.pathParam("model");
          ModelVersion version = registry.resolve(name, context.pathParam("version"));
          responder.sendJson(context, 200, ModelReady.of(name, version));
        });
  }

  private void infer(RoutingContext context, Buffer body) {
    List<String> headerLength = context.request().headers().getAll(HEADER_LENGTH);
    String model = context.pathParam("model");
    String version = context.pathParam("version");
    Trace trace = responder.startCall(context, Protocol.V2, model, version, body);
    // The answer is encoded as the request asked (binary_data): kept from decoding for the encoder.
    AtomicReference<InferenceRequest> decoded = new AtomicReference<>();
    responder.forBody(
        context,
        body,
        () ->
            inference.submit(
                trace,
                model,
                version,
                metadata -> {
                  decoded.set(decode(body, headerLength, model, version));
                  return decoded.get();
                },
                (response, failure) ->
                    responder.complete(context, failure, () -> send(context, decoded.get(), response))));
  }

  private InferenceRequest decode(Buffer body, List<String> headerLength, String model, String version)
      throws IOException {
    byte[] bytes = body.getBytes();
    int jsonLength = jsonLength(headerLength, bytes.length);
    return requests.read(
        bytes,
        0,
        jsonLength,
        ByteBuffer.wrap(bytes, jsonLength, bytes.length - jsonLength),
        model,
        version);
  }

  private static int jsonLength(List<String> headers, int bodyLength) {
    if (headers.isEmpty()) {
      return bodyLength;
    }
    if (headers.size() > 1) {
      throw new InvalidInput(
          "%s appears %d times; send it once.".formatted(HEADER_LENGTH, headers.size()));
    }
    String header = headers.getFirst();
    try {
      int length = Integer.parseInt(header.trim());
      if (length >= 0 && length <= bodyLength) {
        return length;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInput(
        "%s must be a byte count between 0 and the body length %d, got '%s'."
            .formatted(HEADER_LENGTH, bodyLength, header));
  }

  private void send(RoutingContext context, InferenceRequest request, InferenceResponse response)
      throws IOException {
    ByteBuf out = Unpooled.buffer(256);
    int jsonLength = responses.write(request, response, out);
    if (jsonLength < 0) {
      responder.send(context, 200, Buffer.buffer(out));
      return;
    }
    context.response().headers().set(HEADER_LENGTH, Integer.toString(jsonLength));
    responder.send(context, 200, OCTET_STREAM, Buffer.buffer(out));
  }

  /** Triton's index request may ask for ready models only: {@code {"ready": true}}. */
  private void index(RoutingContext context, Buffer body) {
    responder.offEventLoop(
        context,
        () -> {
          boolean readyOnly = body.length() > 0 && mapper.readTree(body.getBytes()).path("ready").asBoolean(false);
          responder.sendJson(
              context,
              200,
              registry.index().stream()
                  .filter(entry -> !readyOnly || entry.state() == ModelState.READY)
                  .filter(entry -> RestResponder.visible(context, entry.name()))
                  .map(IndexRow::of)
                  .toList());
        });
  }

  private void load(RoutingContext context, Buffer body) {
    onModel(context, name -> {
      registry.load(name);
      return new Loaded(name, true);
    });
  }

  private void unload(RoutingContext context, Buffer body) {
    onModel(context, name -> {
      registry.unload(name);
      return new Unloaded(name, true);
    });
  }

  /** Runs a repository action on the path's model, off the event loop (it reads files, waits for drains). */
  private void onModel(RoutingContext context, Function<String, Object> action) {
    String name = context.pathParam("model");
    responder.offEventLoop(context, () -> responder.sendJson(context, 200, action.apply(name)));
  }
}
