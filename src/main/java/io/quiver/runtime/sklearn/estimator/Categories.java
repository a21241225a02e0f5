package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import java.util.HashMap;
import java.util.Map;

/**
 * One feature's fitted {@code categories_}: finds a request value's category. Text categories
 * match text; numeric categories match numbers, or text that reads as the same number. A missing
 * value (NaN, None) matches a NaN or None category.
 */
final class Categories {
  static final int UNKNOWN = -1;

  private final Object[] values;
  private final boolean numeric;
  private final Map<Object, Integer> positions = new HashMap<>();

  Categories(NdArray categories) {
    this.values = categories.toObjects();
    this.numeric = "fiub".indexOf(categories.dtype().kind()) >= 0;
    for (int i = 0; i < values.length; i++) {
      positions.putIfAbsent(key(values[i]), i);
    }
  }

  int size() {
    return values.length;
  }

  private Object key(Object value) {
    if (isMissing(value)) {
      return Missing.VALUE;
    }
    if (numeric) {
      return toNumber(value);
    }
    return String.valueOf(value);
  }

  private static Double toNumber(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static boolean isMissing(Object value) {
    return value == null || (value instanceof Double d && d.isNaN());
  }

  /** The position of the value's category, or {@link #UNKNOWN}. */
  int indexOf(Object value) {
    Object key = key(value);
    Integer position = key == null ? null : positions.get(key);
    return position == null ? UNKNOWN : position;
  }

  Object value(int index) {
    return values[index];
  }

  private enum Missing {
    VALUE
  }
}
