package io.quiver.core.spi;

import io.quiver.core.tensor.DataType;

/**
 * A model input or output as metadata describes it.
 *
 * @param name the tensor name
 * @param datatype the datatype the model takes or gives
 * @param shape the shape, -1 for a variable dimension
 * @param accepts for inputs: which datatypes the model takes besides {@code datatype}
 */
public record TensorSpec(String name, DataType datatype, long[] shape, Accepts accepts) {

  /** Which request datatypes an input takes. */
  public enum Accepts {
    /** Only the declared datatype. */
    EXACTLY,
    /**
     * Any numeric datatype, converted to the declared one by the core (tabular models: KServe's
     * servers accept ints and doubles alike).
     */
    ANY_NUMERIC,
    /** Any datatype, passed on as it came (models that take text and numbers in one table). */
    ANY
  }

  public TensorSpec {
    shape = shape.clone();
  }

  /** A spec whose datatype must match exactly. */
  public static TensorSpec of(String name, DataType datatype, long... shape) {
    return new TensorSpec(name, datatype, shape, Accepts.EXACTLY);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
