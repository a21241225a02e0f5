package io.quiver.runtime.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A decoder with past key/values generating through Quiver's engine: greedy text equal token for
 * token to PyTorch's, alone and with other sequences joining and leaving the running batch;
 * OpenAI's completions and chat completions, streamed and not; sampling, stops and errors.
 */
@QuarkusTest
class HuggingFaceGenerationTest {
  private static final String MODEL = "tiny-chat";
  private static JsonNode expected;

  @BeforeAll
  static void load() throws Exception {
    expected = Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-tiny-chat.json").toFile());
  }

  private static void serve() {
    HuggingFaceFolders.fixture("tiny-chat", MODEL);
    HuggingFaceFolders.load(MODEL);
  }

  private static ObjectNode completion(String prompt) {
    ObjectNode body = Expected.JSON.createObjectNode().put("model", MODEL).put("prompt", prompt);
    body.put("max_tokens", expected.get("max_tokens").asInt()).put("temperature", 0);
    return body;
  }

  private static ObjectNode chat(JsonNode messages) {
    ObjectNode body = Expected.JSON.createObjectNode().put("model", MODEL);
    body.set("messages", messages);
    body.put("max_tokens", expected.get("max_tokens").asInt()).put("temperature", 0);
    return body;
  }

  @Test
  void greedyCompletionsEqualPyTorchAloneAndInOneRunningBatch() throws Exception {
    serve();
    for (JsonNode want : expected.get("completions")) {
      Reply reply = Rest.post("/openai/v1/completions", completion(want.get("prompt").asText()));
      assertEquals(200, reply.status(), reply.text());
      JsonNode body = reply.json();
      assertEquals("text_completion", body.get("object").asText());
      assertTrue(body.get("id").asText().startsWith("cmpl-"));
      assertEquals(MODEL, body.get("model").asText());
      assertEquals(want.get("text").asText(), body.at("/choices/0/text").asText(), want.get("prompt").asText());
      assertEquals(want.get("finish_reason").asText(), body.at("/choices/0/finish_reason").asText());
      assertEquals(want.get("prompt_ids").size(), body.at("/usage/prompt_tokens").asInt());
      assertEquals(want.get("tokens").size(), body.at("/usage/completion_tokens").asInt());
    }

    // every prompt at once, several times over: sequences of different lengths join the running
    // batch while others are mid-way, and each still equals its solo run
    List<Callable<Reply>> calls = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      for (JsonNode want : expected.get("completions")) {
        calls.add(() -> Rest.post("/openai/v1/completions", completion(want.get("prompt").asText())));
      }
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
      List<Future<Reply>> replies = pool.invokeAll(calls);
      for (int i = 0; i < replies.size(); i++) {
        JsonNode want = expected.get("completions").get(i % expected.get("completions").size());
        Reply reply = replies.get(i).get();
        assertEquals(200, reply.status(), reply.text());
        assertEquals(want.get("text").asText(), reply.json().at("/choices/0/text").asText(), "concurrent " + want.get("prompt"));
      }
    }

    // KServe's v1 reaches the same engine: greedy continuations of 16 tokens (one character each here)
    ObjectNode v1 = Expected.JSON.createObjectNode();
    v1.putArray("instances").add(expected.at("/completions/1/prompt").asText());
    Reply predicted = Rest.post("/v1/models/" + MODEL + ":predict", v1);
    assertEquals(200, predicted.status(), predicted.text());
    assertEquals(expected.at("/completions/1/text").asText().substring(0, 16), predicted.json().at("/predictions/0").asText());
    // v2 takes max_tokens as a request parameter
    ObjectNode v2 = Expected.JSON.createObjectNode();
    ObjectNode input = v2.putArray("inputs").addObject().put("name", "input-0").put("datatype", "BYTES");
    input.putArray("shape").add(1);
    input.putArray("data").add(expected.at("/completions/1/prompt").asText());
    v2.putObject("parameters").put("max_tokens", expected.get("max_tokens").asInt());
    Reply inferred = Rest.post("/v2/models/" + MODEL + "/infer", v2);
    assertEquals(200, inferred.status(), inferred.text());
    assertEquals(expected.at("/completions/1/text").asText(), inferred.json().at("/outputs/0/data/0").asText());
  }

  @Test
  void chatCompletionsRenderTheTemplateAsJinja2AndStream() throws Exception {
    serve();
    for (JsonNode want : expected.get("chats")) {
      Reply reply = Rest.post("/openai/v1/chat/completions", chat(want.get("messages")));
      assertEquals(200, reply.status(), reply.text());
      JsonNode body = reply.json();
      assertEquals("chat.completion", body.get("object").asText());
      assertEquals("assistant", body.at("/choices/0/message/role").asText());
      assertEquals(want.get("text").asText(), body.at("/choices/0/message/content").asText());
      assertEquals(want.get("finish_reason").asText(), body.at("/choices/0/finish_reason").asText());
    }

    JsonNode want = expected.at("/chats/1");
    ObjectNode streamed = chat(want.get("messages")).put("stream", true);
    streamed.putObject("stream_options").put("include_usage", true);
    List<JsonNode> events = stream("/openai/v1/chat/completions", streamed);
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (JsonNode event : events.subList(0, events.size() - 1)) {
      assertEquals("chat.completion.chunk", event.get("object").asText());
      JsonNode choice = event.at("/choices/0");
      text.append(choice.at("/delta/content").asText(""));
      if (!choice.path("finish_reason").isNull()) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertEquals("assistant", events.getFirst().at("/choices/0/delta/role").asText());
    assertEquals(want.get("text").asText(), text.toString());
    assertEquals(want.get("finish_reason").asText(), finish);
    JsonNode usage = events.getLast();
    assertEquals(0, usage.get("choices").size());
    assertEquals(want.get("tokens").size(), usage.at("/usage/completion_tokens").asInt());

    String metrics = Rest.get("/metrics").text();
    for (String series : List.of("quiver_time_to_first_token_seconds_count", "quiver_inter_token_latency_seconds_count", "quiver_generation_tokens_total")) {
      assertTrue(metrics.contains(series + "{model=\"" + MODEL + "\"}"), series + " is exported");
    }
  }

  /**
   * Real models' chat templates: a chat answers exactly as a completion of the prompt Python's
   * Jinja2 renders (so the rendered prompts are equal), or, where Quiver's Jinja engine cannot
   * render the template, chat answers 400 saying so while completions still work.
   */
  @Test
  void realChatTemplatesRenderAsJinja2OrChatIsRefusedClearly() throws Exception {
    JsonNode oracle = Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-chat-templates.json").toFile());
    for (var entry : oracle.get("templates").properties()) {
      String name = "tiny-chat-" + entry.getKey().replace(".jinja", "");
      Path folder = HuggingFaceFolders.fixture("tiny-chat", name);
      String template = java.nio.file.Files.readString(HuggingFaceFolders.FIXTURES.resolve("chat-templates").resolve(entry.getKey()));
      ObjectNode settings = Expected.JSON.createObjectNode();
      settings.putObject("parameters").put("chat_template", template);
      java.nio.file.Files.writeString(folder.resolve("model-settings.json"), settings.toString());
      HuggingFaceFolders.load(name);
      for (JsonNode rendering : entry.getValue()) {
        Reply chat = Rest.post("/openai/v1/chat/completions", chat(rendering.get("messages")).put("model", name));
        Reply completion = Rest.post("/openai/v1/completions", completion(rendering.get("prompt").asText()).put("model", name));
        assertEquals(200, completion.status(), completion.text());
        if (chat.status() == 200) {
          assertEquals(completion.json().at("/choices/0/text").asText(), chat.json().at("/choices/0/message/content").asText(), entry.getKey());
          assertEquals(completion.json().at("/usage/prompt_tokens"), chat.json().at("/usage/prompt_tokens"), entry.getKey());
        } else {
          assertEquals(400, chat.status(), chat.text());
          assertTrue(chat.json().at("/error/message").asText().contains("cannot be rendered by Quiver's Jinja engine"), chat.text());
          assertEquals("messages", chat.json().at("/error/param").asText());
        }
      }
    }
  }

  @Test
  void samplingIsSeededStopsEndTextAndMistakesAnswerInOpenAisShape() throws Exception {
    serve();
    ObjectNode sampled = completion("Once").put("temperature", 1.0).put("top_p", 0.9).put("top_k", 50).put("seed", 7).put("max_tokens", 20);
    String first = Rest.post("/openai/v1/completions", sampled).json().at("/choices/0/text").asText();
    assertEquals(first, Rest.post("/openai/v1/completions", sampled).json().at("/choices/0/text").asText(), "same seed, same text");
    sampled.put("n", 3);
    JsonNode three = Rest.post("/openai/v1/completions", sampled).json();
    assertEquals(3, three.get("choices").size());
    assertNotEquals(three.at("/choices/1/text").asText(), three.at("/choices/2/text").asText());

    JsonNode want = expected.at("/completions/1");
    String text = want.get("text").asText();
    String stop = text.substring(5, 7);
    ObjectNode stopped = completion(want.get("prompt").asText());
    stopped.putArray("stop").add(stop);
    JsonNode body = Rest.post("/openai/v1/completions", stopped).json();
    assertEquals(text.substring(0, text.indexOf(stop)), body.at("/choices/0/text").asText());
    assertEquals("stop", body.at("/choices/0/finish_reason").asText());

    List<JsonNode> events = stream("/openai/v1/completions", stopped.put("stream", true));
    StringBuilder streamedText = new StringBuilder();
    events.forEach(event -> streamedText.append(event.at("/choices/0/text").asText("")));
    assertEquals(text.substring(0, text.indexOf(stop)), streamedText.toString());

    ObjectNode logprobs = completion(want.get("prompt").asText()).put("logprobs", 2).put("max_tokens", 3);
    JsonNode logprobsBody = Rest.post("/openai/v1/completions", logprobs).json();
    JsonNode withLogprobs = logprobsBody.at("/choices/0/logprobs");
    assertEquals(3, withLogprobs.get("tokens").size(), logprobsBody.toString());
    assertEquals(2, withLogprobs.at("/top_logprobs/0").size());
    assertTrue(withLogprobs.at("/token_logprobs/0").asDouble() <= 0);

    Reply unknown = Rest.post("/openai/v1/completions", completion("x").put("model", "no-such-model"));
    assertEquals(404, unknown.status());
    assertEquals("model_not_found", unknown.json().at("/error/code").asText());
    Reply hot = Rest.post("/openai/v1/completions", completion("x").put("temperature", 5));
    assertEquals(400, hot.status());
    assertEquals("temperature", hot.json().at("/error/param").asText());
    assertEquals("invalid_request_error", hot.json().at("/error/type").asText());
    Reply tooLong = Rest.post("/openai/v1/completions", completion("x".repeat(300)));
    assertEquals(400, tooLong.status(), tooLong.text());
    assertTrue(tooLong.json().at("/error/message").asText().contains("context"), tooLong.text());
    Reply malformed = Rest.post("/openai/v1/chat/completions", "{\"model\": ");
    assertEquals(400, malformed.status());
    assertTrue(malformed.json().at("/error/message").isTextual());
    Reply encoder = Rest.post("/openai/v1/completions", completion("x").put("model", "iris-onnx"));
    assertEquals(400, encoder.status(), encoder.text());
    assertEquals("model", encoder.json().at("/error/param").asText());

    List<String> models = Rest.get("/openai/v1/models").json().findValuesAsText("id");
    assertTrue(models.contains(MODEL), models.toString());
    assertTrue(!models.contains("iris-onnx"), models.toString());
  }

  /** The events of a Server-Sent Events response, up to {@code [DONE]} (which must come). */
  static List<JsonNode> stream(String path, JsonNode body) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(Rest.uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<java.util.stream.Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
    List<JsonNode> events = new ArrayList<>();
    boolean done = false;
    for (String line : (Iterable<String>) response.body()::iterator) {
      if (line.isEmpty()) {
        continue;
      }
      assertTrue(line.startsWith("data: "), line);
      String data = line.substring(6);
      if (data.equals("[DONE]")) {
        done = true;
        continue;
      }
      assertTrue(!done, "nothing after [DONE]");
      events.add(Expected.JSON.readTree(data));
    }
    assertTrue(done, "the stream ends with [DONE]");
    return events;
  }
}
