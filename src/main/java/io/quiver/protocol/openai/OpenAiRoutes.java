package io.quiver.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.InferenceService;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.generation.GenerationRequest;
import io.quiver.core.generation.GenerationService;
import io.quiver.core.generation.Sampling;
import io.quiver.core.generation.TextEmbedder;
import io.quiver.core.generation.TokenSink;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.protocol.rest.RequestBodies;
import io.quiver.protocol.rest.RestResponder;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's API under KServe's prefix {@code /openai/v1}: models, completions, chat completions
 * (both streamed as Server-Sent Events on request) and embeddings. The model id is the Quiver
 * model name. Errors come in OpenAI's shape.
 */
@ApplicationScoped
public class OpenAiRoutes {
  static final String PREFIX = "/openai/v1";

  private final GenerationService generation;
  private final InferenceService inference;
  private final RestResponder responder;
  private final RequestBodies bodies;
  private final ObjectMapper json;
  private final long started = System.currentTimeMillis() / 1000;

  OpenAiRoutes(GenerationService generation, InferenceService inference, RestResponder responder, RequestBodies bodies, ObjectMapper json) {
    this.generation = generation;
    this.inference = inference;
    this.responder = responder;
    this.bodies = bodies;
    this.json = json;
  }

  void register(@Observes Router router) {
    router.get(PREFIX + "/models").handler(this::models);
    router.get(PREFIX + "/models/:model").handler(this::model);
    router.post(PREFIX + "/completions").handler(context -> bodies.read(context, this::completions));
    router.post(PREFIX + "/chat/completions").handler(context -> bodies.read(context, this::chat));
    router.post(PREFIX + "/embeddings").handler(context -> bodies.read(context, this::embeddings));
  }

  private void models(RoutingContext context) {
    ObjectNode list = json.createObjectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    generation.languageModels().stream().filter(model -> RestResponder.visible(context, model)).forEach(model -> data.add(modelNode(model)));
    responder.sendJson(context, 200, list);
  }

  private void model(RoutingContext context) {
    String name = context.pathParam("model");
    if (!generation.languageModels().contains(name)) {
      fail(context, new InferenceException.ModelNotFound("The model '%s' does not exist or answers no OpenAI route.".formatted(name)));
      return;
    }
    responder.sendJson(context, 200, modelNode(name));
  }

  private ObjectNode modelNode(String name) {
    return json.createObjectNode().put("id", name).put("object", "model").put("created", started).put("owned_by", "quiver");
  }

  private void completions(RoutingContext context, Buffer body) {
    offEventLoop(
        context,
        () -> {
          OpenAiRequests.Completion request = OpenAiRequests.completion(json.readTree(body.getBytes()));
          OpenAiRequests.Generation settings = request.generation();
          start(call(context, body, CompletionCall.Kind.COMPLETION, settings), settings, request.prompts(), request.echo());
        });
  }

  private void chat(RoutingContext context, Buffer body) {
    offEventLoop(
        context,
        () -> {
          OpenAiRequests.Chat request = OpenAiRequests.chat(json.readTree(body.getBytes()));
          OpenAiRequests.Generation settings = request.generation();
          String prompt = generation.chatPrompt(settings.model(), request.messages());
          start(call(context, body, CompletionCall.Kind.CHAT, settings), settings, List.of(prompt), false);
        });
  }

  /** A completion call, its request logged and traced (a streamed answer is traced, not logged). */
  private CompletionCall call(RoutingContext context, Buffer body, CompletionCall.Kind kind, OpenAiRequests.Generation settings) {
    Trace trace = responder.startCall(context, Protocol.OPENAI, settings.model(), null, body);
    CompletionCall call =
        new CompletionCall(
            kind,
            json,
            settings.model(),
            settings.stream(),
            settings.includeUsage(),
            settings.sampling().logprobs() >= 0,
            responder.ioContext(context),
            context.response(),
            answer -> {
              if (answer instanceof Throwable error) {
                fail(context, error);
              } else {
                responder.sendJson(context, 200, answer);
              }
            },
            trace);
    context.response().closeHandler(ignored -> call.cancel());
    return call;
  }

  /**
   * Starts {@code n} choices for each prompt. Every choice is known to the call before the first
   * starts, since a fast one may finish before the next is started; a refusal of any ends the call.
   */
  private void start(CompletionCall call, OpenAiRequests.Generation settings, List<String> prompts, boolean echo) {
    List<Runnable> starts = new ArrayList<>();
    for (String prompt : prompts) {
      for (int i = 0; i < settings.n(); i++) {
        Sampling sampling = settings.sampling();
        if (sampling.seed() != null && i > 0) {
          sampling = sampling.withSeed(sampling.seed() + i); // n choices from one seed would be n copies of one text
        }
        GenerationRequest request = new GenerationRequest(prompt, sampling);
        TokenSink sink = call.choice(i == 0, echo ? prompt : "");
        starts.add(() -> call.started(generation.generate(settings.model(), request, sink)));
      }
    }
    for (Runnable start : starts) {
      try {
        start.run();
      } catch (RuntimeException e) {
        call.refuse(e);
        return;
      }
    }
  }

  private void embeddings(RoutingContext context, Buffer body) {
    offEventLoop(
        context,
        () -> {
          OpenAiRequests.Embedding request = OpenAiRequests.embedding(json.readTree(body.getBytes()));
          GenerationService.EmbeddingInput input = generation.embeddingInput(request.model(), request.inputs());
          if (request.dimensions() != null && request.dimensions() != input.dimensions()) {
            throw new InferenceException.InvalidInput(
                "Model %s makes embeddings of %d dimensions and cannot shorten them; leave 'dimensions' out or set it to %d."
                    .formatted(request.model(), input.dimensions(), input.dimensions()),
                "dimensions");
          }
          Trace trace = responder.startCall(context, Protocol.OPENAI, request.model(), null, body);
          inference.submit(
              trace,
              request.model(),
              null,
              metadata -> embeddingRequest(request),
              (response, failure) -> {
                if (failure != null) {
                  fail(context, failure);
                } else {
                  responder.sendJson(context, 200, embeddingResponse(request, response.outputs().getFirst(), input.tokens()));
                }
              });
        });
  }

  private static InferenceRequest embeddingRequest(OpenAiRequests.Embedding request) {
    TensorBuilder texts = new TensorBuilder(DataType.BYTES, request.inputs().size());
    request.inputs().forEach(text -> texts.addBytes(text.getBytes(StandardCharsets.UTF_8)));
    return new InferenceRequest(
        null,
        request.model(),
        null,
        List.of(texts.build(TextEmbedder.INPUT, new long[] {request.inputs().size()})),
        List.of(new RequestedOutput(TextEmbedder.OUTPUT, Map.of())),
        Map.of());
  }

  private ObjectNode embeddingResponse(OpenAiRequests.Embedding request, Tensor vectors, int tokens) {
    int rows = Math.toIntExact(vectors.dim(0));
    int width = Math.toIntExact(vectors.dim(1));
    ObjectNode response = json.createObjectNode().put("object", "list");
    ArrayNode data = response.putArray("data");
    for (int row = 0; row < rows; row++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", row);
      if (request.base64()) {
        ByteBuffer bytes = ByteBuffer.allocate(width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < width; d++) {
          bytes.putFloat((float) vectors.getDouble(row * width + d));
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode vector = item.putArray("embedding");
        for (int d = 0; d < width; d++) {
          vector.add((float) vectors.getDouble(row * width + d));
        }
      }
    }
    response.put("model", request.model());
    response.set("usage", json.createObjectNode().put("prompt_tokens", tokens).put("total_tokens", tokens));
    return response;
  }

  /** Work that may block (chat templates, tokenizing) runs on a virtual thread; failures answer OpenAI's way. */
  private void offEventLoop(RoutingContext context, RestResponder.Work work) {
    Thread.startVirtualThread(
        () -> {
          try {
            work.run();
          } catch (Throwable error) {
            fail(context, error);
          }
        });
  }

  private void fail(RoutingContext context, Throwable error) {
    try {
      responder.send(context, OpenAiErrors.status(error), RestResponder.APPLICATION_JSON, Buffer.buffer(json.writeValueAsBytes(OpenAiErrors.body(error))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      responder.sendError(context, e);
    }
  }
}
