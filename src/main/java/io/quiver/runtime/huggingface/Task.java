package io.quiver.runtime.huggingface;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What a Hugging Face model does, in KServe's names. */
enum Task {
  SEQUENCE_CLASSIFICATION("ForSequenceClassification"),
  TOKEN_CLASSIFICATION("ForTokenClassification"),
  FILL_MASK("ForMaskedLM"),
  TEXT_EMBEDDING(null),
  TEXT_GENERATION("ForCausalLM");

  /** The architecture-name suffix of models of this task, as transformers names its classes. */
  private final String suffix;

  Task(String suffix) {
    this.suffix = suffix;
  }

  String kserveName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The task a setting names.
   *
   * @throws IllegalArgumentException naming the tasks there are
   */
  static Task named(String name) {
    for (Task task : values()) {
      if (task.kserveName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return task;
      }
    }
    throw new IllegalArgumentException(
        "unknown task '%s'; tasks: %s".formatted(name, String.join(", ", Arrays.stream(values()).map(Task::kserveName).toList())));
  }

  /**
   * The task of a model's architecture: the head its class name ends with ({@code
   * BertForSequenceClassification}); a bare encoder ({@code BertModel}) makes embeddings; GPT-2's
   * {@code GPT2LMHeadModel} generates.
   *
   * @throws IllegalArgumentException when no task fits
   */
  static Task of(List<String> architectures) {
    for (String architecture : architectures) {
      for (Task task : values()) {
        if (task.suffix != null && architecture.endsWith(task.suffix)) {
          return task;
        }
      }
      if (architecture.endsWith("LMHeadModel")) {
        return TEXT_GENERATION;
      }
      if (architecture.endsWith("Model")) {
        return TEXT_EMBEDDING;
      }
    }
    throw new IllegalArgumentException(
        "config.json's architectures %s name no task Quiver serves; set \"task\" in model-settings.json (%s)"
            .formatted(architectures, String.join(", ", Arrays.stream(values()).map(Task::kserveName).toList())));
  }
}
