package io.quiver.runtime.sklearn.pickle;

import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A numpy dtype as a pickle describes it: {@code numpy.dtype('f8', False, True)} followed by its
 * state, which gives the byte order and, for structured dtypes, the fields and their offsets.
 */
public final class NumpyDType {
  /** A field of a structured dtype. */
  public record Field(NumpyDType type, int offset) {}

  private final String code;
  private char kind;
  private int itemSize;
  private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  private final Map<String, Field> fields = new LinkedHashMap<>();

  NumpyDType(String code) {
    this.code = code;
    this.kind = code.charAt(0);
    String digits = code.substring(1).replaceAll("[^0-9]", "");
    this.itemSize = digits.isEmpty() ? 0 : Integer.parseInt(digits);
    if (kind == 'U') {
      itemSize *= 4;
    } else if (kind == '?' || code.equals("b1")) {
      kind = 'b';
      itemSize = 1;
    }
  }

  /** Called by the unpickler with numpy's dtype state tuple. */
  public void __setstate__(Object[] state) {
    String byteOrder = (String) state[1];
    if (">".equals(byteOrder)) {
      order = ByteOrder.BIG_ENDIAN;
    }
    if (state.length > 4 && state[4] instanceof Map<?, ?> structured) {
      for (Map.Entry<?, ?> field : structured.entrySet()) {
        Object[] description = (Object[]) field.getValue();
        fields.put(
            (String) field.getKey(),
            new Field((NumpyDType) description[0], ((Number) description[1]).intValue()));
      }
    }
    if (state.length > 5 && state[5] instanceof Number size && size.intValue() > 0) {
      itemSize = size.intValue();
    }
  }

  /** numpy's kind: f (float), i (signed), u (unsigned), b (bool), O (object), U (unicode), S (bytes), V (structured). */
  public char kind() {
    return kind;
  }

  public int itemSize() {
    return itemSize;
  }

  public ByteOrder order() {
    return order;
  }

  public Map<String, Field> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return code;
  }
}
