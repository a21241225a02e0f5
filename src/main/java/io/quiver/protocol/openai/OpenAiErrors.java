package io.quiver.protocol.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quiver.core.InferenceException;
import io.quiver.protocol.json.JsonErrors;
import io.quiver.protocol.rest.RestResponder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Failures in OpenAI's error shape: {@code {"error": {"message", "type", "param", "code"}}}. */
final class OpenAiErrors {
  private OpenAiErrors() {}

  static int status(Throwable error) {
    return RestResponder.status(error);
  }

  static Map<String, Object> body(Throwable error) {
    int status = status(error);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("message", message(error));
    detail.put("type", status >= 500 ? "server_error" : "invalid_request_error");
    detail.put("param", error instanceof InferenceException.InvalidInput invalid ? invalid.parameter() : null);
    detail.put("code", code(error));
    return Map.of("error", detail);
  }

  private static String code(Throwable error) {
    return switch (error) {
      case InferenceException.ModelNotFound e -> "model_not_found";
      case InferenceException.ModelNotReady e -> "model_not_ready";
      case InferenceException.Unavailable e -> "server_busy";
      default -> null;
    };
  }

  private static String message(Throwable error) {
    if (error instanceof JsonProcessingException json) {
      return JsonErrors.describe(json);
    }
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }
}
