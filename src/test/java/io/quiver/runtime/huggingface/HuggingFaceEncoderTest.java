package io.quiver.runtime.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hugging Face encoders served through ONNX Runtime and the tokenizers library, answering as
 * KServe's Hugging Face server does, compared with what PyTorch computed on the same weights; and
 * the real all-MiniLM-L6-v2 making sentence embeddings on KServe's routes and OpenAI's.
 */
@QuarkusTest
class HuggingFaceEncoderTest {

  private static JsonNode expected(String name) throws Exception {
    return Expected.JSON.readTree(Path.of("src/test/resources/expected/huggingface-" + name + ".json").toFile());
  }

  private static ObjectNode instances(JsonNode texts) {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", texts);
    return body;
  }

  private static ObjectNode v2Texts(JsonNode texts) {
    ObjectNode body = Expected.JSON.createObjectNode();
    ObjectNode input = body.putArray("inputs").addObject();
    input.put("name", "input-0").put("datatype", "BYTES");
    input.putArray("shape").add(texts.size());
    input.set("data", texts);
    return body;
  }

  @Test
  void sequenceClassifierAnswersPyTorchsClassAndProbabilities() throws Exception {
    JsonNode expected = expected("bert-classifier");
    HuggingFaceFolders.fixture("bert-classifier", "hf-classifier");
    HuggingFaceFolders.load("hf-classifier");
    Reply v1 = Rest.post("/v1/models/hf-classifier:predict", instances(expected.get("texts")));
    assertEquals(200, v1.status(), v1.text());
    assertEquals(expected.get("predictions"), v1.json().get("predictions"));

    Reply v2 = Rest.post("/v2/models/hf-classifier/infer", v2Texts(expected.get("texts")));
    assertEquals(200, v2.status(), v2.text());
    assertEquals("output-0", v2.json().at("/outputs/0/name").asText());
    assertEquals(expected.get("predictions"), v2.json().at("/outputs/0/data"));

    // one request alone or batched with others: the same answers
    for (Reply answer : Rest.postAtOnce("/v1/models/hf-classifier:predict", instances(expected.get("texts")), 6)) {
      assertEquals(expected.get("predictions"), answer.json().get("predictions"), answer.text());
    }

    Path folder = HuggingFaceFolders.fixture("bert-classifier", "hf-classifier-probabilities");
    Files.writeString(folder.resolve("model-settings.json"), "{\"parameters\": {\"return_probabilities\": true}}");
    HuggingFaceFolders.load("hf-classifier-probabilities");
    Reply probabilities = Rest.post("/v1/models/hf-classifier-probabilities:predict", instances(expected.get("texts")));
    assertEquals(200, probabilities.status(), probabilities.text());
    for (int row = 0; row < expected.get("texts").size(); row++) {
      JsonNode answer = probabilities.json().get("predictions").get(row);
      JsonNode wanted = expected.get("probabilities").get(row);
      for (int c = 0; c < wanted.size(); c++) {
        Expected.assertClose(wanted.get(c).asDouble(), answer.get(Integer.toString(c)).asDouble(), "class " + c);
      }
    }
  }

  @Test
  void tokenClassifierAndFillMaskAnswerAsPyTorch() throws Exception {
    JsonNode ner = expected("bert-ner");
    HuggingFaceFolders.fixture("bert-ner", "hf-ner");
    HuggingFaceFolders.load("hf-ner");
    Reply tags = Rest.post("/v1/models/hf-ner:predict", instances(ner.get("texts")));
    assertEquals(200, tags.status(), tags.text());
    assertEquals(ner.get("predictions"), tags.json().get("predictions"));
    // alone, a text is padded to its own length only
    Reply first = Rest.post("/v1/models/hf-ner:predict", instances(Expected.JSON.createArrayNode().add(ner.get("texts").get(0))));
    int ownLength = ner.get("input_ids").get(0).size();
    assertEquals(ownLength, first.json().at("/predictions/0/0").size());
    for (int i = 0; i < ownLength; i++) {
      assertEquals(ner.at("/predictions/0/0/" + i), first.json().at("/predictions/0/0/" + i));
    }

    JsonNode fill = expected("bert-fill-mask");
    HuggingFaceFolders.fixture("bert-fill-mask", "hf-fill-mask");
    HuggingFaceFolders.load("hf-fill-mask");
    Reply filled = Rest.post("/v1/models/hf-fill-mask:predict", instances(fill.get("texts")));
    assertEquals(200, filled.status(), filled.text());
    assertEquals(fill.get("predictions"), filled.json().get("predictions"));

    Reply noMask = Rest.post("/v1/models/hf-fill-mask:predict", instances(Expected.JSON.createArrayNode().add("no mask here")));
    assertEquals(400, noMask.status(), noMask.text());
    assertTrue(noMask.error().contains("mask"), noMask.text());
  }

  @Test
  void miniLmEmbeddingsMakeSenseOnKServeAndOpenAiRoutes() throws Exception {
    HuggingFaceFolders.miniLm("minilm");
    HuggingFaceFolders.load("minilm");
    JsonNode expected = expected("minilm");
    JsonNode texts = expected.get("texts");
    Reply v1 = Rest.post("/v1/models/minilm:predict", instances(texts));
    assertEquals(200, v1.status(), v1.text());
    JsonNode vectors = v1.json().get("predictions");
    assertEquals(3, vectors.size());
    assertEquals(384, vectors.get(0).size());
    for (JsonNode vector : vectors) {
      Expected.assertClose(1.0, dot(vector, vector), "length of a normalised vector");
    }
    // The model quantizes its activations with scales taken from the whole batch, so a text
    // embedded alone (as langchain4j did) is compared alone, and texts embedded together closely.
    for (int row = 0; row < 3; row++) {
      JsonNode alone =
          Rest.post("/v1/models/minilm:predict", instances(Expected.JSON.createArrayNode().add(texts.get(row)))).json().at("/predictions/0");
      for (int i = 0; i < expected.get("indices").size(); i++) {
        assertEquals(
            expected.at("/values/" + row + "/" + i).asDouble(),
            alone.get(expected.at("/indices/" + i).asInt()).asDouble(),
            1e-4,
            "text " + row + ", element " + expected.at("/indices/" + i));
      }
    }
    double kitten = dot(vectors.get(0), vectors.get(1));
    double revenue = dot(vectors.get(0), vectors.get(2));
    assertEquals(expected.get("cosine_cat_kitten").asDouble(), kitten, 0.02);
    assertEquals(expected.get("cosine_cat_revenue").asDouble(), revenue, 0.02);
    assertTrue(kitten > revenue + 0.3, "a cat is nearer a kitten than revenue");

    ObjectNode request = Expected.JSON.createObjectNode().put("model", "minilm");
    request.set("input", texts);
    Reply openAi = Rest.post("/openai/v1/embeddings", request);
    assertEquals(200, openAi.status(), openAi.text());
    JsonNode body = openAi.json();
    assertEquals("list", body.get("object").asText());
    assertEquals("minilm", body.get("model").asText());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, body.at("/data/" + i + "/index").asInt());
      assertEquals("embedding", body.at("/data/" + i + "/object").asText());
      Expected.assertValues(vectors.get(i), body.at("/data/" + i + "/embedding"), "embedding " + i);
    }
    // [CLS] cat [SEP], [CLS] kitten [SEP], [CLS] revenue [SEP]
    assertEquals(9, body.at("/usage/prompt_tokens").asInt());
    assertEquals(9, body.at("/usage/total_tokens").asInt());

    request.put("encoding_format", "base64");
    JsonNode base64 = Rest.post("/openai/v1/embeddings", request).json();
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/1/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(384 * 4, bytes.remaining());
    for (int d = 0; d < 384; d++) {
      assertEquals((float) vectors.get(1).get(d).asDouble(), bytes.getFloat(), 1e-6);
    }

    request.put("encoding_format", "float").put("dimensions", 128);
    Reply shortened = Rest.post("/openai/v1/embeddings", request);
    assertEquals(400, shortened.status(), shortened.text());
    assertEquals("dimensions", shortened.json().at("/error/param").asText());
    assertEquals("invalid_request_error", shortened.json().at("/error/type").asText());

    List<String> listed = Rest.get("/openai/v1/models").json().findValuesAsText("id");
    assertTrue(listed.contains("minilm"), listed.toString());
  }

  private static double dot(JsonNode a, JsonNode b) {
    double sum = 0;
    for (int i = 0; i < a.size(); i++) {
      sum += a.get(i).asDouble() * b.get(i).asDouble();
    }
    return sum;
  }
}
