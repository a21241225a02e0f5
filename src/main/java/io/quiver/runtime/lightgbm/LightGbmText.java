package io.quiver.runtime.lightgbm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LightGBM's text model format: a header of {@code key=value} lines, then one block per tree
 * ({@code Tree=N} followed by its lines), then {@code end of trees} and the rest, which prediction
 * does not need.
 */
final class LightGbmText {
  final Map<String, String> header = new LinkedHashMap<>();
  final List<Map<String, String>> trees = new ArrayList<>();

  LightGbmText(String text) {
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].strip().equals("tree")) {
      throw new IllegalArgumentException("not a LightGBM text model (it does not start with 'tree')");
    }
    Map<String, String> current = header;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.equals("end of trees")) {
        break;
      }
      if (line.startsWith("Tree=")) {
        current = new LinkedHashMap<>();
        trees.add(current);
        continue;
      }
      int equals = line.indexOf('=');
      if (equals > 0) {
        current.put(line.substring(0, equals), line.substring(equals + 1));
      } else if (!line.isEmpty()) {
        // A flag such as average_output
        current.put(line, "");
      }
    }
  }

  static String required(Map<String, String> fields, String key) {
    String value = fields.get(key);
    if (value == null) {
      throw new IllegalArgumentException("the LightGBM model lacks '" + key + "'");
    }
    return value;
  }

  static double[] doubles(Map<String, String> fields, String key) {
    String[] parts = required(fields, key).trim().split(" ");
    double[] values = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Double.parseDouble(parts[i]);
    }
    return values;
  }

  static int[] ints(Map<String, String> fields, String key) {
    String[] parts = required(fields, key).trim().split(" ");
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Integer.parseInt(parts[i]);
    }
    return values;
  }

  static long[] longs(Map<String, String> fields, String key) {
    String[] parts = required(fields, key).trim().split(" ");
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Long.parseLong(parts[i]);
    }
    return values;
  }
}
