package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/** How malformed JSON is reported, whichever protocol carried it. */
public final class JsonErrors {
  /** Jackson names the (redacted) source in nested locations; it tells the caller nothing. */
  private static final Pattern SOURCE_DESCRIPTION = Pattern.compile("\\[Source: [^;]*; ");

  private JsonErrors() {}

  /** {@code Unrecognized request format: <what> (line L, column C)}, as KServe words it. */
  public static String describe(JsonProcessingException error) {
    JsonLocation at = error.getLocation();
    String where = at == null ? "" : " (line %d, column %d)".formatted(at.getLineNr(), at.getColumnNr());
    String detail = SOURCE_DESCRIPTION.matcher(error.getOriginalMessage()).replaceAll("[");
    return "Unrecognized request format: " + detail + where;
  }
}
