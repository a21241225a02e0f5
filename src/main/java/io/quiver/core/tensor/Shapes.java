package io.quiver.core.tensor;

/** Formatting and comparison of tensor shapes, where -1 marks a variable dimension. */
public final class Shapes {
  private Shapes() {}

  /** {@code [2,4]}, the way the protocols write a shape. */
  public static String format(long[] shape) {
    StringBuilder text = new StringBuilder(shape.length * 3 + 2).append('[');
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(shape[i]);
    }
    return text.append(']').toString();
  }

  /** Whether a concrete shape fits a declared one: same rank, equal wherever the declared dim is fixed. */
  public static boolean fits(long[] actual, long[] declared) {
    if (actual.length != declared.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] >= 0 && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }
}
