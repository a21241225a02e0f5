package io.quiver.core.spi;

import io.quiver.core.tensor.DataType;

/**
 * A model input or output as metadata describes it.
 *
 * @param name the tensor name
 * @param datatype the datatype the model takes or gives
 * @param shape the shape, -1 for a variable dimension
 * @param acceptsAnyNumeric for inputs: whether the core may convert any numeric datatype to {@code
 *     datatype} (tabular models, as KServe's servers accept ints and doubles alike); otherwise the
 *     datatype must match exactly
 */
public record TensorSpec(String name, DataType datatype, long[] shape, boolean acceptsAnyNumeric) {

  public TensorSpec {
    shape = shape.clone();
  }

  /** A spec whose datatype must match exactly. */
  public static TensorSpec of(String name, DataType datatype, long... shape) {
    return new TensorSpec(name, datatype, shape, false);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
