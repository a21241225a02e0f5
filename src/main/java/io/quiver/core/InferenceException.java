package io.quiver.core;

/**
 * Every failure the core reports to a caller. Each front end maps the closed set of subtypes to its
 * protocol once (an HTTP status, a gRPC status, a dead-letter reason); the message always names what
 * was wrong.
 */
public abstract sealed class InferenceException extends RuntimeException {

  /**
   * The HTTP status a failure maps to (as KServe answers it); anything that is not an inference
   * exception is the server's fault, 500.
   */
  public static int httpStatus(Throwable error) {
    return switch (error) {
      case ModelNotFound e -> 404;
      case InvalidInput e -> 400;
      case ModelNotReady e -> 503;
      case Unavailable e -> 503;
      case NotImplemented e -> 501;
      case ModelFailure e -> 500;
      default -> 500;
    };
  }

  InferenceException(String message, Throwable cause) {
    // Expected failures (bad input, unknown models) are frequent under attack or misuse:
    // no stack trace keeps them cheap.
    super(message, cause, false, cause != null);
  }

  /** No such model, or no such version of it (404 / NOT_FOUND). */
  public static final class ModelNotFound extends InferenceException {
    public ModelNotFound(String message) {
      super(message, null);
    }

    public static ModelNotFound model(String name) {
      return new ModelNotFound("Model with name %s does not exist.".formatted(name));
    }
  }

  /** The model exists but cannot serve now: loading, failed, unloaded (503 / UNAVAILABLE). */
  public static final class ModelNotReady extends InferenceException {
    public ModelNotReady(String message) {
      super(message, null);
    }
  }

  /** The request itself is wrong: malformed, wrong names, types or shapes (400 / INVALID_ARGUMENT). */
  public static final class InvalidInput extends InferenceException {
    private final String parameter;

    public InvalidInput(String message) {
      this(message, null);
    }

    /** Wrong input in the named request parameter (OpenAI's errors name it). */
    public InvalidInput(String message, String parameter) {
      super(message, null);
      this.parameter = parameter;
    }

    /** The request parameter at fault, or null when the input as a whole is. */
    public String parameter() {
      return parameter;
    }
  }

  /** The server will not take more work now: queue full or shutting down (503 / UNAVAILABLE). */
  public static final class Unavailable extends InferenceException {
    public Unavailable(String message) {
      super(message, null);
    }
  }

  /** The model or the server failed while answering a valid request (500 / INTERNAL). */
  public static final class ModelFailure extends InferenceException {
    public ModelFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The operation exists in the protocol but this server or model does not offer it (501 / UNIMPLEMENTED). */
  public static final class NotImplemented extends InferenceException {
    public NotImplemented(String message) {
      super(message, null);
    }
  }
}
