package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Models whose settings name a storage URI, downloaded from real HTTP servers the test starts:
 * plain files, archives, Cloud Storage's JSON API and the Hugging Face Hub, cached once and loaded
 * as local models; a failed or corrupt download fails only its model, and leaves nothing behind.
 */
@QuarkusTest
@QuarkusTestResource(value = StorageServers.class, restrictToAnnotatedClass = true)
class StorageTest {
  @Test
  void filesArchivesAndBucketsServeAsTheLocalModel() throws Exception {
    JsonNode local = Rest.post("/v2/models/iris-onnx/infer", StoredModels.IRIS).json().get("outputs");
    for (String[] model :
        new String[][] {
          {"remote-tar", StorageServers.base + "/archives/iris.tar.gz"},
          {"remote-zip", StorageServers.base + "/archives/iris.zip"},
          {"remote-gcs", "gs://models/iris/1"}
        }) {
      Reply loaded = StoredModels.loadFrom(model[0], model[1]);
      assertEquals(200, loaded.status(), model[1] + ": " + loaded.text());
      Reply answer = Rest.post("/v2/models/" + model[0] + "/infer", StoredModels.IRIS);
      assertEquals(200, answer.status(), answer.text());
      assertEquals(local, answer.json().get("outputs"), model[1]);
    }

    Reply booster = StoredModels.loadFrom("remote-file", StorageServers.base + "/files/model.json");
    assertEquals(200, booster.status(), booster.text());
    assertEquals(
        Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}").json(),
        Rest.post("/v1/models/remote-file:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}").json());

    // downloaded once: a reload uses the cache
    int downloads = StorageServers.requests("/archives/iris.tar.gz");
    assertEquals(200, StoredModels.loadFrom("remote-tar", StorageServers.base + "/archives/iris.tar.gz").status());
    assertEquals(downloads, StorageServers.requests("/archives/iris.tar.gz"));
  }

  @Test
  void aServiceAccountKeyFileReadsAPrivateBucketWithOneTokenForManyDownloads() throws Exception {
    JsonNode local = Rest.post("/v2/models/iris-onnx/infer", StoredModels.IRIS).json().get("outputs");
    for (String model : new String[] {"private-gcs", "private-gcs-again"}) {
      Reply loaded = StoredModels.loadFrom(model, "gs://private/iris/1");
      assertEquals(200, loaded.status(), loaded.text());
      assertEquals(local, Rest.post("/v2/models/" + model + "/infer", StoredModels.IRIS).json().get("outputs"));
    }
    assertEquals(1, StorageServers.requests("/token"), "the access token is kept until it expires");
  }

  @Test
  void theHuggingFaceHubServesALanguageModel() throws Exception {
    Reply loaded = StoredModels.loadFrom("hub-chat", "hf://quiver/tiny-chat:v1");
    assertEquals(200, loaded.status(), loaded.text());
    JsonNode expected = Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-tiny-chat.json").toFile()).at("/completions/1");
    String body = "{\"model\": \"hub-chat\", \"prompt\": \"%s\", \"max_tokens\": 24, \"temperature\": 0}".formatted(expected.get("prompt").asText());
    assertEquals(expected.get("text").asText(), Rest.post("/openai/v1/completions", body).json().at("/choices/0/text").asText());
  }

  @Test
  void aFailedOrCorruptDownloadFailsItsModelAloneAndLeavesNothingBehind() throws Exception {
    Reply missing = StoredModels.loadFrom("remote-missing", StorageServers.base + "/archives/nothing.tar.gz");
    assertTrue(missing.status() >= 400, missing.text());
    assertTrue(missing.error().contains("answered 404"), missing.text());

    Reply corrupt = StoredModels.loadFrom("remote-corrupt", "gs://models/broken");
    assertTrue(corrupt.status() >= 400, corrupt.text());
    assertTrue(corrupt.error().contains("MD5"), corrupt.text());

    Reply escaping = StoredModels.loadFrom("remote-escape", StorageServers.base + "/archives/escape.zip");
    assertTrue(escaping.status() >= 400, escaping.text());
    assertTrue(escaping.error().contains("outside"), escaping.text());

    Reply unknown = StoredModels.loadFrom("remote-s4", "s4://bucket/model");
    assertTrue(unknown.error().contains("not supported"), unknown.text());

    for (Path entry : StorageServers.cacheEntries()) {
      assertTrue(!entry.getFileName().toString().startsWith(".partial"), "a partial download was left: " + entry);
    }
    assertEquals(200, Rest.post("/v2/models/iris-onnx/infer", StoredModels.IRIS).status());
  }
}
