package io.quiver.security;

import java.util.Set;

/**
 * Who is calling, and the scopes they hold: {@code models:<name>:infer} (infer and read that
 * model's metadata, readiness, statistics), {@code models:<name>:admin} (also load and unload it;
 * implies infer), and {@code *} for the model name to mean every model.
 *
 * @param subject the token's subject or the API key's name, for logs; never the credential
 */
public record Caller(String subject, Set<String> scopes) {

  public Caller {
    scopes = Set.copyOf(scopes);
  }

  /** What a call needs on a model. */
  public enum Right {
    INFER,
    ADMIN
  }

  /** Whether the caller may do {@code right} on model {@code model} ({@code *}: every model). */
  public boolean may(String model, Right right) {
    boolean admin = scopes.contains("models:" + model + ":admin") || scopes.contains("models:*:admin");
    if (right == Right.ADMIN) {
      return admin;
    }
    return admin || scopes.contains("models:" + model + ":infer") || scopes.contains("models:*:infer");
  }

  /** The scope that would grant {@code right} on {@code model}, for refusals. */
  public static String scope(String model, Right right) {
    return "models:" + model + ":" + right.name().toLowerCase(java.util.Locale.ROOT);
  }
}
