package io.quiver.runtime.huggingface;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.generation.ChatMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template (Jinja, from tokenizer_config.json), rendered as transformers renders it:
 * trimmed and left-stripped blocks, {@code messages}, {@code add_generation_prompt}, the special
 * tokens, and {@code raise_exception}. Jinjava renders most templates exactly as Python's Jinja2
 * does but not every one (it has no list slicing such as {@code messages[::-1]}): a template it
 * cannot render is found when the model loads, and chat requests then say so.
 */
final class ChatTemplate {
  private static final JinjavaConfig CONFIG =
      JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).withFailOnUnknownTokens(false).build();
  private static final List<ChatMessage> PROBE =
      List.of(new ChatMessage("system", "You are helpful."), new ChatMessage("user", "Hello"), new ChatMessage("assistant", "Hi."), new ChatMessage("user", "Bye"));

  private final String template;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;
  /** Why the template cannot be rendered, or null when it can. */
  private final String unusable;

  private ChatTemplate(String template, Map<String, Object> specialTokens) {
    this.template = template;
    this.specialTokens = specialTokens;
    this.jinjava = new Jinjava(CONFIG);
    jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    this.unusable = template == null ? "model %s has no chat template" : probe();
  }

  /**
   * The template a model uses: its settings' {@code chat_template}, else the tokenizer's.
   *
   * @param bos the beginning-of-sequence token's text ("" when none)
   * @param eos the end-of-sequence token's text
   */
  static ChatTemplate of(Optional<String> template, String bos, String eos) {
    Map<String, Object> tokens = new HashMap<>();
    tokens.put("bos_token", bos);
    tokens.put("eos_token", eos);
    return new ChatTemplate(template.orElse(null), tokens);
  }

  /** Why chats cannot be rendered for this model, if they cannot. */
  Optional<String> unusable(String model) {
    return Optional.ofNullable(unusable).map(reason -> reason.formatted(model));
  }

  /** Called by templates to refuse a conversation they do not support. */
  public static String raiseException(String message) {
    throw new TemplateRefusal(message);
  }

  /**
   * The prompt for a conversation, ending with the assistant's turn opened.
   *
   * @throws InvalidInput when the model has no usable template, or the template refuses the messages
   */
  String render(List<ChatMessage> messages, String model) {
    if (unusable != null) {
      throw new InvalidInput(
          "Chat is not available for model %s: %s. Send the prompt to /openai/v1/completions instead, or set a chat_template in its model-settings.json parameters."
              .formatted(model, unusable.formatted(model)),
          "messages");
    }
    RenderResult result = renderResult(messages);
    String failure = failure(result);
    if (failure != null) {
      throw new InvalidInput("The chat template of model %s refused the messages: %s".formatted(model, failure), "messages");
    }
    return result.getOutput();
  }

  private RenderResult renderResult(List<ChatMessage> messages) {
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.put("messages", messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
    context.put("add_generation_prompt", true);
    return jinjava.renderForResult(template, context);
  }

  private String probe() {
    try {
      String failure = failure(renderResult(PROBE));
      return failure == null ? null : "its chat template cannot be rendered by Quiver's Jinja engine (" + failure + ")";
    } catch (RuntimeException e) {
      return "its chat template cannot be rendered by Quiver's Jinja engine (" + e.getMessage() + ")";
    }
  }

  private static String failure(RenderResult result) {
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        Throwable cause = error.getException();
        while (cause != null && !(cause instanceof TemplateRefusal)) {
          cause = cause.getCause();
        }
        return cause != null ? cause.getMessage() : error.getMessage();
      }
    }
    return null;
  }

  /** A template's own refusal, through {@code raise_exception}. */
  static final class TemplateRefusal extends RuntimeException {
    TemplateRefusal(String message) {
      super(message, null, false, false);
    }
  }
}
