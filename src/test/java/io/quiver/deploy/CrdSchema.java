package io.quiver.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A CustomResourceDefinition version's structural schema, checked the way the API server checks
 * with strict field validation ({@code kubectl apply --validate=strict}): types, required fields,
 * enums, and no field the schema does not know, except under {@code
 * x-kubernetes-preserve-unknown-fields}.
 */
final class CrdSchema {
  private final JsonNode schema;

  private CrdSchema(JsonNode schema) {
    this.schema = schema;
  }

  /** The schema of {@code version} in a CRD document. */
  static CrdSchema of(JsonNode crd, String version) {
    for (JsonNode served : crd.at("/spec/versions")) {
      if (served.path("name").asText().equals(version)) {
        return new CrdSchema(served.at("/schema/openAPIV3Schema"));
      }
    }
    throw new IllegalArgumentException(crd.at("/metadata/name").asText() + " has no version " + version);
  }

  /** Every violation, each with its path; empty when the document is valid. */
  List<String> violations(JsonNode document) {
    List<String> problems = new ArrayList<>();
    check(schema, document, "", problems);
    return problems;
  }

  private static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
      if (!value.isInt() && !value.isTextual()) {
        problems.add(path + ": must be an integer or a string");
      }
      return;
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> checkObject(schema, value, path, problems);
      case "array" -> {
        if (!value.isArray()) {
          problems.add(path + ": must be a list");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(schema.path("items"), value.get(i), path + "[" + i + "]", problems);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          problems.add(path + ": must be a string, got " + value);
        } else if (schema.has("enum") && !contains(schema.get("enum"), value)) {
          problems.add(path + ": must be one of " + schema.get("enum") + ", got " + value);
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          problems.add(path + ": must be an integer, got " + value);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          problems.add(path + ": must be a number, got " + value);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(path + ": must be true or false, got " + value);
        }
      }
      default -> {} // untyped: anything goes
    }
  }

  private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> problems) {
    if (!value.isObject()) {
      problems.add(path + ": must be an object");
      return;
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        problems.add(path + ": '" + required.asText() + "' is required");
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    boolean preserves = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String fieldPath = path + "." + field.getKey();
      if (properties.has(field.getKey())) {
        check(properties.get(field.getKey()), field.getValue(), fieldPath, problems);
      } else if (additional.isObject()) {
        check(additional, field.getValue(), fieldPath, problems);
      } else if (!preserves && !properties.isMissingNode()) {
        problems.add(fieldPath + ": unknown field");
      }
    }
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode candidate : values) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
