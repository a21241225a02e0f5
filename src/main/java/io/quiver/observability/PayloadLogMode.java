package io.quiver.observability;

import java.util.Locale;

/** KServe's logger modes. */
public enum PayloadLogMode {
  ALL,
  REQUEST,
  RESPONSE;

  boolean logsRequests() {
    return this != RESPONSE;
  }

  boolean logsResponses() {
    return this != REQUEST;
  }

  /**
   * Parses a mode as a model's settings write it.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static PayloadLogMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "logger_mode must be all, request or response; got '%s'".formatted(text));
    }
  }
}
