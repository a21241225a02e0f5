package io.quiver.security;

/**
 * A missing or unacceptable credential (401 / UNAUTHENTICATED).
 *
 * @see #reason() the metric label
 */
public final class AuthenticationFailure extends RuntimeException {
  private final String reason;

  AuthenticationFailure(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** Why, as counted: {@code missing}, {@code malformed}, {@code invalid}, {@code unknown_key}. */
  public String reason() {
    return reason;
  }
}
