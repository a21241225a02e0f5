package io.quiver.runtime.sklearn.pickle;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance of an allowed Python class, rebuilt as inert data: its class name, its constructor
 * arguments and its attributes (the pickled state). No Python code is run to make it.
 */
public final class PyObject {
  private final String className;
  private final Object[] arguments;
  private final Map<String, Object> attributes = new HashMap<>();
  private Object state;

  PyObject(String className, Object[] arguments) {
    this.className = className;
    this.arguments = arguments;
  }

  public void __setstate__(HashMap<?, ?> dict) {
    state = dict;
    dict.forEach((key, value) -> attributes.put(String.valueOf(key), value));
  }

  public void __setstate__(Object[] tuple) {
    state = tuple;
    // (dict, slots): the usual shape for objects with __slots__
    if (tuple.length == 2 && tuple[0] instanceof Map<?, ?> dict) {
      dict.forEach((key, value) -> attributes.put(String.valueOf(key), value));
    }
    if (tuple.length == 2 && tuple[1] instanceof Map<?, ?> slots) {
      slots.forEach((key, value) -> attributes.put(String.valueOf(key), value));
    }
  }

  /** The fully qualified Python class name, e.g. {@code sklearn.linear_model._base.LinearRegression}. */
  public String className() {
    return className;
  }

  /** The class name without its module. */
  public String simpleName() {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  public Object[] arguments() {
    return arguments.clone();
  }

  public Object state() {
    return state;
  }

  public boolean has(String attribute) {
    return attributes.containsKey(attribute) && attributes.get(attribute) != null;
  }

  /** An attribute, which must be present. */
  public Object get(String attribute) {
    if (!attributes.containsKey(attribute)) {
      throw new IllegalArgumentException(
          "%s has no attribute %s (a scikit-learn version this server does not read?)".formatted(simpleName(), attribute));
    }
    return attributes.get(attribute);
  }

  public Object get(String attribute, Object fallback) {
    Object value = attributes.get(attribute);
    return value == null ? fallback : value;
  }

  /** The values of all attributes, for walking the object graph. */
  Collection<Object> attributeValues() {
    return attributes.values();
  }

  public NdArray array(String attribute) {
    return typed(attribute, NdArray.class, "a numpy array");
  }

  public PyObject object(String attribute) {
    return typed(attribute, PyObject.class, "an object");
  }

  public String string(String attribute) {
    return typed(attribute, String.class, "text");
  }

  public double number(String attribute) {
    Object value = get(attribute);
    return value instanceof NdArray array ? array.getDouble(0) : typed(attribute, Number.class, "a number").doubleValue();
  }

  public int integer(String attribute) {
    Object value = get(attribute);
    return value instanceof NdArray array ? (int) array.getLong(0) : typed(attribute, Number.class, "a number").intValue();
  }

  private <T> T typed(String attribute, Class<T> type, String expected) {
    Object value = get(attribute);
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "%s.%s must be %s; the pickle holds %s".formatted(simpleName(), attribute, expected, describe(value)));
    }
    return type.cast(value);
  }

  private static String describe(Object value) {
    return switch (value) {
      case null -> "None";
      case List<?> list -> "a list";
      case Map<?, ?> map -> "a dict";
      case Object[] tuple -> "a tuple";
      case String text -> "text";
      case Number number -> "a number";
      case PyObject object -> "a " + object.simpleName();
      default -> "a " + value.getClass().getSimpleName();
    };
  }

  /** A boolean attribute; absent (as in versions before it existed) counts as false. */
  public boolean flag(String attribute) {
    return Boolean.TRUE.equals(attributes.get(attribute));
  }

  public List<?> list(String attribute) {
    Object value = get(attribute);
    if (value instanceof Object[] tuple) {
      return List.of(tuple);
    }
    if (value instanceof NdArray array) {
      return List.of(array.toObjects());
    }
    return (List<?>) value;
  }

  @Override
  public String toString() {
    return className;
  }
}
