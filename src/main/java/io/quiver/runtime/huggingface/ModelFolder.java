package io.quiver.runtime.huggingface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a Hugging Face model folder says about the model beside its weights: {@code config.json},
 * {@code tokenizer_config.json}, {@code generation_config.json} and sentence-transformers' pooling
 * files. Every file but config.json is optional.
 */
final class ModelFolder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelSource source;
  private final JsonNode config;
  private final JsonNode tokenizerConfig;
  private final JsonNode generationConfig;

  private ModelFolder(ModelSource source, JsonNode config, JsonNode tokenizerConfig, JsonNode generationConfig) {
    this.source = source;
    this.config = config;
    this.tokenizerConfig = tokenizerConfig;
    this.generationConfig = generationConfig;
  }

  static ModelFolder read(ModelSource source) throws IOException {
    JsonNode config = json(source, "config.json").orElseThrow(() -> new IllegalArgumentException("no config.json in the model folder"));
    return new ModelFolder(
        source,
        config,
        json(source, "tokenizer_config.json").orElse(JSON.createObjectNode()),
        json(source, "generation_config.json").orElse(JSON.createObjectNode()));
  }

  private static Optional<JsonNode> json(ModelSource source, String file) throws IOException {
    Optional<Path> path = source.fileInside(file);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(path.get().toFile());
      if (node == null || !node.isContainerNode()) {
        throw new IllegalArgumentException(file + " must hold a JSON object or list");
      }
      return Optional.of(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  Path tokenizerFile() {
    return source.fileInside("tokenizer.json").orElseThrow(() -> new IllegalArgumentException("no tokenizer.json in the model folder"));
  }

  /** The task the settings name, else the one the architecture implies. */
  Task task() {
    Optional<String> named = source.settings().parameter("task");
    if (named.isPresent()) {
      return Task.named(named.get());
    }
    List<String> architectures = new ArrayList<>();
    config.path("architectures").forEach(name -> architectures.add(name.asText()));
    return Task.of(architectures);
  }

  /** The longest token sequence the model takes: its position table, or the tokenizer's limit. */
  int maxLength() {
    for (String field : List.of("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")) {
      if (config.path(field).canConvertToInt() && config.path(field).asInt() > 0) {
        int positions = config.path(field).asInt();
        int tokenizerLimit = tokenizerConfig.path("model_max_length").asInt(Integer.MAX_VALUE);
        return Math.min(positions, tokenizerLimit > 0 ? tokenizerLimit : Integer.MAX_VALUE);
      }
    }
    return tokenizerConfig.path("model_max_length").asInt(512);
  }

  /** The tokens that end a generation: generation_config.json's, else config.json's. */
  Set<Long> endOfSequenceIds() {
    Set<Long> ids = new LinkedHashSet<>();
    JsonNode eos = generationConfig.has("eos_token_id") ? generationConfig.get("eos_token_id") : config.path("eos_token_id");
    if (eos.isArray()) {
      eos.forEach(id -> ids.add(id.asLong()));
    } else if (eos.canConvertToLong()) {
      ids.add(eos.asLong());
    }
    return ids;
  }

  /** A special token tokenizer_config.json names ({@code "eos_token"}), as text; empty when none. */
  String specialToken(String field) {
    JsonNode token = tokenizerConfig.path(field);
    return token.isObject() ? token.path("content").asText("") : token.isTextual() ? token.asText() : "";
  }

  /** The default chat template, if the tokenizer has one (a string, or a list of named ones). */
  Optional<String> chatTemplate() {
    JsonNode template = tokenizerConfig.path("chat_template");
    if (template.isTextual()) {
      return Optional.of(template.asText());
    }
    for (JsonNode named : template) {
      if ("default".equals(named.path("name").asText())) {
        return Optional.of(named.path("template").asText());
      }
    }
    return source.fileInside("chat_template.jinja").map(ModelFolder::readString);
  }

  private static String readString(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * How token vectors become one sentence vector, as sentence-transformers' pooling config says
   * ({@code 1_Pooling/config.json}); mean pooling when there is none.
   */
  Pooling pooling() throws IOException {
    Optional<JsonNode> pooling = json(source, "1_Pooling/config.json");
    if (pooling.isEmpty()) {
      return Pooling.MEAN;
    }
    if (pooling.get().path("pooling_mode_cls_token").asBoolean()) {
      return Pooling.CLS;
    }
    if (pooling.get().path("pooling_mode_max_tokens").asBoolean()) {
      return Pooling.MAX;
    }
    return Pooling.MEAN;
  }

  /**
   * Whether sentence vectors are scaled to length 1: sentence-transformers' {@code modules.json}
   * says so by listing a Normalize module; without that file they are (KServe's rule).
   */
  boolean normalizes() throws IOException {
    Optional<JsonNode> modules = json(source, "modules.json");
    if (modules.isEmpty()) {
      return true;
    }
    for (JsonNode module : modules.get()) {
      if (module.path("type").asText().endsWith("Normalize")) {
        return true;
      }
    }
    return false;
  }

  enum Pooling {
    MEAN,
    CLS,
    MAX
  }
}
