package io.quiver.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.generation.ChatMessage;
import io.quiver.core.generation.Sampling;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's request bodies, read and checked: every value out of place is refused with a message
 * and the parameter it concerns. Parameters Quiver does not act on are ignored, as OpenAI-compatible
 * servers do, so that the SDKs' defaults pass.
 */
final class OpenAiRequests {
  /** OpenAI's default for completions; chat completions run until the model's context is full. */
  private static final int COMPLETION_MAX_TOKENS = 16;
  private static final int MAX_CHOICES = 16;
  private static final int MAX_COMPLETION_LOGPROBS = 5;

  private OpenAiRequests() {}

  /** What both completion routes share. */
  record Generation(String model, Sampling sampling, int n, boolean stream, boolean includeUsage) {}

  record Completion(Generation generation, List<String> prompts, boolean echo) {}

  record Chat(Generation generation, List<ChatMessage> messages) {}

  record Embedding(String model, List<String> inputs, boolean base64, Integer dimensions) {}

  static Completion completion(JsonNode body) {
    requireObject(body);
    List<String> prompts = texts(body, "prompt");
    int logprobs = -1;
    if (!body.path("logprobs").isNull() && !body.path("logprobs").isMissingNode()) {
      logprobs = integer(body, "logprobs", 0);
      if (logprobs < 0 || logprobs > MAX_COMPLETION_LOGPROBS) {
        throw new InvalidInput("'logprobs' must be between 0 and %d.".formatted(MAX_COMPLETION_LOGPROBS), "logprobs");
      }
    }
    Generation generation = generation(body, integer(body, "max_tokens", COMPLETION_MAX_TOKENS), logprobs);
    if (prompts.size() * generation.n() > MAX_CHOICES) {
      throw new InvalidInput("At most %d choices (prompts times n) per request.".formatted(MAX_CHOICES), "n");
    }
    return new Completion(generation, prompts, bool(body, "echo"));
  }

  static Chat chat(JsonNode body) {
    requireObject(body);
    JsonNode list = body.path("messages");
    if (!list.isArray() || list.isEmpty()) {
      throw new InvalidInput("'messages' is required: a non-empty list of {role, content}.", "messages");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode message : list) {
      if (!message.path("role").isTextual()) {
        throw new InvalidInput("Every message needs a 'role'.", "messages");
      }
      messages.add(new ChatMessage(message.get("role").asText(), content(message.path("content"))));
    }
    int logprobs = -1;
    if (bool(body, "logprobs")) {
      logprobs = integer(body, "top_logprobs", 0);
    }
    int maxTokens = integer(body, "max_completion_tokens", integer(body, "max_tokens", Integer.MAX_VALUE));
    return new Chat(generation(body, maxTokens, logprobs), messages);
  }

  static Embedding embedding(JsonNode body) {
    requireObject(body);
    String model = model(body);
    List<String> inputs = texts(body, "input");
    String format = body.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw new InvalidInput("'encoding_format' must be float or base64, got '%s'.".formatted(format), "encoding_format");
    }
    Integer dimensions = body.hasNonNull("dimensions") ? integer(body, "dimensions", 0) : null;
    return new Embedding(model, inputs, format.equals("base64"), dimensions);
  }

  private static Generation generation(JsonNode body, int maxTokens, int logprobs) {
    String model = model(body);
    int n = integer(body, "n", 1);
    if (n < 1 || n > MAX_CHOICES) {
      throw new InvalidInput("'n' must be between 1 and %d.".formatted(MAX_CHOICES), "n");
    }
    JsonNode seed = body.path("seed");
    int topK = integer(body, "top_k", 0);
    Sampling sampling =
        new Sampling(
            maxTokens,
            number(body, "temperature", 1.0),
            number(body, "top_p", 1.0),
            topK == -1 ? 0 : topK, // vLLM's spelling of "no limit"
            seed.isNull() || seed.isMissingNode() ? null : integerValue(seed, "seed"),
            stops(body.path("stop")),
            number(body, "presence_penalty", 0),
            number(body, "frequency_penalty", 0),
            logprobs,
            bool(body, "ignore_eos"));
    boolean stream = bool(body, "stream");
    boolean includeUsage = stream && body.path("stream_options").path("include_usage").asBoolean(false);
    return new Generation(model, sampling, n, stream, includeUsage);
  }

  /** A field that holds a string or a non-empty list of them (token lists are not supported). */
  private static List<String> texts(JsonNode body, String field) {
    JsonNode value = body.path(field);
    List<String> texts = new ArrayList<>();
    if (value.isTextual()) {
      texts.add(value.asText());
    } else if (value.isArray() && !value.isEmpty()) {
      for (JsonNode item : value) {
        if (!item.isTextual()) {
          throw new InvalidInput("'%s' must be a string or a list of strings; token lists are not supported.".formatted(field), field);
        }
        texts.add(item.asText());
      }
    } else {
      throw new InvalidInput("'%s' is required: a string or a non-empty list of strings.".formatted(field), field);
    }
    return texts;
  }

  private static String content(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isNull() || content.isMissingNode()) {
      return "";
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText())) {
          throw new InvalidInput(
              "Only text content parts are supported, got '%s'.".formatted(part.path("type").asText()), "messages");
        }
        text.append(part.path("text").asText());
      }
      return text.toString();
    }
    throw new InvalidInput("A message's 'content' must be a string or a list of text parts.", "messages");
  }

  private static List<String> stops(JsonNode stop) {
    if (stop.isNull() || stop.isMissingNode()) {
      return List.of();
    }
    if (stop.isTextual()) {
      return List.of(stop.asText());
    }
    List<String> stops = new ArrayList<>();
    if (stop.isArray()) {
      for (JsonNode item : stop) {
        if (!item.isTextual()) {
          throw new InvalidInput("'stop' must be a string or a list of strings.", "stop");
        }
        stops.add(item.asText());
      }
      return stops;
    }
    throw new InvalidInput("'stop' must be a string or a list of strings.", "stop");
  }

  private static void requireObject(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidInput("The request body must be a JSON object.");
    }
  }

  private static String model(JsonNode body) {
    if (!body.path("model").isTextual() || body.get("model").asText().isEmpty()) {
      throw new InvalidInput("'model' is required: the name of a model this server serves.", "model");
    }
    return body.get("model").asText();
  }

  private static int integer(JsonNode body, String field, int fallback) {
    JsonNode value = body.path(field);
    return value.isNull() || value.isMissingNode() ? fallback : Math.toIntExact(integerValue(value, field));
  }

  private static long integerValue(JsonNode value, String field) {
    if (!value.isIntegralNumber() || !value.canConvertToInt() && !field.equals("seed")) {
      throw new InvalidInput("'%s' must be an integer, got %s.".formatted(field, value), field);
    }
    return value.asLong();
  }

  private static double number(JsonNode body, String field, double fallback) {
    JsonNode value = body.path(field);
    if (value.isNull() || value.isMissingNode()) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw new InvalidInput("'%s' must be a number, got %s.".formatted(field, value), field);
    }
    return value.asDouble();
  }

  private static boolean bool(JsonNode body, String field) {
    JsonNode value = body.path(field);
    if (value.isNull() || value.isMissingNode()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new InvalidInput("'%s' must be true or false, got %s.".formatted(field, value), field);
    }
    return value.asBoolean();
  }
}
