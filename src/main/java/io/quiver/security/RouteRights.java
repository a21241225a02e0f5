package io.quiver.security;

import io.quiver.security.Caller.Right;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a REST call needs: a right on the model its path names. Model lists need only a caller
 * (they show the caller's models); statistics of every model need the right on {@code *}; a path
 * no rule knows needs {@code models:*:admin}, so that a route added later is closed until it is
 * mapped here.
 */
final class RouteRights {
  /**
   * A right on a model, or on every model ({@code *}); a null model: a list any caller may read,
   * showing the models the caller has the right on.
   */
  record Needed(String model, Right right) {}

  /** A route's method and path, the right it needs, and whether it is a list. */
  private record Rule(String method, Pattern path, Right right, boolean list) {}

  private static final String NAME = "([^/:]+)";
  private static final List<Rule> RULES =
      List.of(
          rule("POST", "/v2/repository/models/" + NAME + "/(?:load|unload)", Right.ADMIN),
          list("POST", "/v2/repository/index", Right.ADMIN),
          rule("GET", "/v2/models/stats", Right.INFER),
          list("GET", "/v2/models", Right.INFER),
          rule("GET", "/v2", Right.INFER),
          rule("*", "/v2/models/" + NAME + "(?:/versions/[^/]+)?(?:/infer|/ready|/config|/stats)?", Right.INFER),
          list("GET", "/v1/models", Right.INFER),
          rule("*", "/v1/models/" + NAME + "(?:/versions/[^/:]+)?(?::predict|:explain|:classify|:regress|/metadata)?", Right.INFER),
          rule("POST", "/predictions/" + NAME + "(?:/[^/]+)?", Right.INFER),
          list("GET", "/models", Right.INFER),
          rule("GET", "/models/" + NAME, Right.INFER),
          rule("POST", "/models/" + NAME + "/invocations", Right.INFER),
          rule("POST", "/invocations", Right.INFER),
          list("GET", "/openai/v1/models", Right.INFER),
          rule("GET", "/openai/v1/models/" + NAME, Right.INFER));

  private RouteRights() {}

  private static Rule rule(String method, String path, Right right) {
    return new Rule(method, Pattern.compile(path), right, false);
  }

  private static Rule list(String method, String path, Right right) {
    return new Rule(method, Pattern.compile(path), right, true);
  }

  static Needed of(String method, String path) {
    for (Rule rule : RULES) {
      Matcher matcher = rule.path().matcher(path);
      if ((rule.method().equals("*") || rule.method().equals(method)) && matcher.matches()) {
        if (rule.list()) {
          return new Needed(null, rule.right());
        }
        return new Needed(matcher.groupCount() > 0 ? matcher.group(1) : "*", rule.right());
      }
    }
    return new Needed("*", Right.ADMIN);
  }

  /** OpenAI's routes that name the model in their body. */
  static boolean modelInBody(String method, String path) {
    return method.equals("POST") && path.matches("/openai/v1/(?:completions|chat/completions|embeddings)");
  }
}
