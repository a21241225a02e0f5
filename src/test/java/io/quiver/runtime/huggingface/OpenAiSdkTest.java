package io.quiver.runtime.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK for Node (src/test/node/openai-client, installed from npm by this test
 * with its lock file) as the client: chat, streamed chat, completions and embeddings against
 * Quiver, answers equal to what PyTorch generated and to Quiver's own KServe route.
 */
@QuarkusTest
class OpenAiSdkTest {
  private static final Path SOURCES = Path.of("src/test/node/openai-client");
  private static final Path INSTALLED = Path.of("target/openai-client");

  @Test
  void officialSdkTalksToQuiver() throws Exception {
    JsonNode expected = Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-tiny-chat.json").toFile());
    HuggingFaceFolders.fixture("tiny-chat", "sdk-chat");
    HuggingFaceFolders.load("sdk-chat");
    HuggingFaceFolders.miniLm("sdk-embeddings");
    HuggingFaceFolders.load("sdk-embeddings");

    JsonNode chat = expected.at("/chats/0");
    JsonNode completion = expected.at("/completions/1");
    ObjectNode request = Expected.JSON.createObjectNode();
    request.set("messages", chat.get("messages"));
    request.put("max_tokens", expected.get("max_tokens").asInt());
    request.put("prompt", completion.get("prompt").asText());
    request.putArray("texts").add("cat").add("kitten");

    JsonNode result = run(request);

    List<String> models = Expected.JSON.convertValue(result.get("models"), Expected.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    assertTrue(models.containsAll(List.of("sdk-chat", "sdk-embeddings")), models.toString());
    assertEquals(chat.get("text").asText(), result.at("/chat/text").asText());
    assertEquals(chat.get("finish_reason").asText(), result.at("/chat/finish").asText());
    assertEquals(chat.get("tokens").size(), result.at("/chat/usage/completion_tokens").asInt());
    assertEquals(chat.get("text").asText(), result.at("/stream/text").asText());
    assertEquals(chat.get("finish_reason").asText(), result.at("/stream/finish").asText());
    assertEquals(chat.get("tokens").size(), result.at("/stream/usage/completion_tokens").asInt());
    assertEquals(completion.get("text").asText(), result.at("/completion/text").asText());

    ObjectNode v1 = Expected.JSON.createObjectNode();
    v1.set("instances", request.get("texts"));
    JsonNode vectors = Rest.post("/v1/models/sdk-embeddings:predict", v1).json().get("predictions");
    for (int i = 0; i < 2; i++) {
      Expected.assertValues(vectors.get(i), result.at("/embeddings/" + i), "embedding " + i + " through the SDK");
    }
    assertEquals(400, result.at("/error/status").asInt(), result.toString());
    assertEquals("temperature", result.at("/error/param").asText(), result.toString());
  }

  private static JsonNode run(JsonNode request) throws Exception {
    install();
    ProcessBuilder node = new ProcessBuilder("node", "client.mjs").directory(INSTALLED.toFile());
    node.environment().put("QUIVER_OPENAI_URL", Rest.uri("/openai/v1").toString());
    node.environment().put("QUIVER_CHAT_MODEL", "sdk-chat");
    node.environment().put("QUIVER_EMBEDDING_MODEL", "sdk-embeddings");
    node.environment().put("QUIVER_REQUEST", request.toString());
    node.redirectErrorStream(true);
    Process process = node.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the SDK client finished");
    assertEquals(0, process.exitValue(), output);
    return Expected.JSON.readTree(output.lines().filter(line -> line.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(output)));
  }

  /** npm ci into target/, once: the SDK at the version the lock file pins. */
  private static void install() throws IOException, InterruptedException {
    Files.createDirectories(INSTALLED);
    for (String file : List.of("package.json", "package-lock.json", "client.mjs")) {
      Files.copy(SOURCES.resolve(file), INSTALLED.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.isDirectory(INSTALLED.resolve("node_modules/openai"))) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(INSTALLED.toFile()).redirectErrorStream(true).start();
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(npm.waitFor(180, TimeUnit.SECONDS), "npm ci finished");
    assertEquals(0, npm.exitValue(), "npm ci failed: " + output);
  }
}
