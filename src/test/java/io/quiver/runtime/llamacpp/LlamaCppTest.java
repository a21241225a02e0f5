package io.quiver.runtime.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A tiny Llama in GGUF served by llama.cpp: greedy text equal to a PyTorch implementation of the
 * same network, alone and with its slots busy at once, on OpenAI's routes and KServe's.
 */
@QuarkusTest
class LlamaCppTest {
  private static final String MODEL = "tiny-llama";

  private static void serve() throws Exception {
    Path folder = TestRepository.root().resolve(MODEL);
    TestRepository.copyTree(Path.of("src/test/resources/huggingface/tiny-llama-gguf"), folder);
    Files.writeString(folder.resolve("model-settings.json"), "{\"parameters\": {\"context_length\": 256, \"max_num_seqs\": 4}}");
    Reply loaded = Rest.post("/v2/repository/models/" + MODEL + "/load", "");
    assertEquals(200, loaded.status(), loaded.text());
  }

  private static ObjectNode completion(JsonNode want, int maxTokens) {
    return Expected.JSON.createObjectNode().put("model", MODEL).put("prompt", want.get("prompt").asText()).put("max_tokens", maxTokens).put("temperature", 0);
  }

  @Test
  void greedyTextEqualsPyTorchAloneAndWithSlotsBusy() throws Exception {
    JsonNode expected = Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-tiny-llama-gguf.json").toFile());
    serve();
    int maxTokens = expected.get("max_tokens").asInt();
    for (JsonNode want : expected.get("completions")) {
      Reply reply = Rest.post("/openai/v1/completions", completion(want, maxTokens));
      assertEquals(200, reply.status(), reply.text());
      assertEquals(want.get("text").asText(), reply.json().at("/choices/0/text").asText(), want.get("prompt").asText());
      assertEquals("length", reply.json().at("/choices/0/finish_reason").asText());
      assertEquals(maxTokens, reply.json().at("/usage/completion_tokens").asInt());
    }

    List<Callable<Reply>> calls = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (JsonNode want : expected.get("completions")) {
        calls.add(() -> Rest.post("/openai/v1/completions", completion(want, maxTokens)));
      }
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
      List<Future<Reply>> replies = pool.invokeAll(calls);
      for (int i = 0; i < replies.size(); i++) {
        JsonNode want = expected.get("completions").get(i % expected.get("completions").size());
        assertEquals(want.get("text").asText(), replies.get(i).get().json().at("/choices/0/text").asText(), "concurrent " + want.get("prompt"));
      }
    }

    ObjectNode v1 = Expected.JSON.createObjectNode();
    v1.putArray("instances").add(expected.at("/completions/0/prompt").asText());
    Reply predicted = Rest.post("/v1/models/" + MODEL + ":predict", v1);
    assertEquals(200, predicted.status(), predicted.text());
    assertEquals(expected.at("/completions/0/text").asText(), predicted.json().at("/predictions/0").asText());

    ObjectNode chat = Expected.JSON.createObjectNode().put("model", MODEL).put("max_tokens", 8);
    chat.putArray("messages").addObject().put("role", "user").put("content", "Hello");
    Reply answered = Rest.post("/openai/v1/chat/completions", chat);
    assertEquals(200, answered.status(), answered.text());
    assertEquals(8, answered.json().at("/usage/completion_tokens").asInt(), answered.text());

    Reply logprobs = Rest.post("/openai/v1/completions", completion(expected.at("/completions/0"), 4).put("logprobs", 1));
    assertEquals(400, logprobs.status(), logprobs.text());
    assertEquals("logprobs", logprobs.json().at("/error/param").asText());
    assertTrue(Rest.get("/openai/v1/models").json().findValuesAsText("id").contains(MODEL));
  }

  @Test
  void brokenGgufFilesFailTheirLoadAndTheServerStaysUp() throws Exception {
    byte[] real = Files.readAllBytes(Path.of("src/test/resources/huggingface/tiny-llama-gguf/tiny-llama.gguf"));
    Map<String, byte[]> broken = new LinkedHashMap<>();
    broken.put("gguf-truncated-metadata", Arrays.copyOf(real, 1000));
    broken.put("gguf-truncated-tensors", Arrays.copyOf(real, real.length - 4096));
    broken.put("gguf-not-gguf", "GGUF? no.".getBytes(StandardCharsets.UTF_8));
    broken.put("gguf-no-byte-tokens", withoutByteTokens());
    for (Map.Entry<String, byte[]> model : broken.entrySet()) {
      Path folder = TestRepository.root().resolve(model.getKey());
      Files.createDirectories(folder);
      Files.write(folder.resolve("model.gguf"), model.getValue());
      Reply loaded = Rest.post("/v2/repository/models/" + model.getKey() + "/load", "");
      assertTrue(loaded.status() >= 400, model.getKey() + " answered " + loaded.status());
      assertTrue(!loaded.error().isEmpty(), loaded.text());
    }
    assertTrue(Rest.post("/v2/repository/models/gguf-no-byte-tokens/load", "").error().contains("byte tokens"));
    assertEquals(200, Rest.get("/v2/health/ready").status());
  }

  /** A GGUF whose SentencePiece vocabulary lacks byte tokens (metadata only). */
  private static byte[] withoutByteTokens() {
    ByteBuffer out = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    out.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(3);
    putString(out, "general.architecture");
    out.putInt(8);
    putString(out, "llama");
    putString(out, "tokenizer.ggml.model");
    out.putInt(8);
    putString(out, "llama");
    putString(out, "tokenizer.ggml.tokens");
    out.putInt(9).putInt(8).putLong(2);
    putString(out, "a");
    putString(out, "b");
    return Arrays.copyOf(out.array(), out.position());
  }

  private static void putString(ByteBuffer out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.putLong(bytes.length).put(bytes);
  }
}
