package io.quiver.core.registry;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;

/**
 * What a failed load tells callers (ready, metadata, every 503 and the repository index): the
 * library's first line, with repository paths made relative. Native stack traces, temporary
 * folders and the server's file layout stay in the log.
 */
final class LoadFailures {
  private LoadFailures() {}

  static String reason(Throwable error, Path repository) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StackOverflowError) {
      return "the model file nests objects too deeply (or contains itself) to be read";
    }
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    String firstLine = message.strip().lines().findFirst().orElse("").strip();
    String prefix = repository.toAbsolutePath().normalize() + "/";
    return firstLine.replace(prefix, "");
  }
}
