package io.quiver.runtime.torchscript;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One loaded TorchScript module. Inputs go to {@code forward} in the order they are declared; a
 * tensor or tuple result gives the outputs by position ({@code OUTPUT__0}, ...), a dict of tensors
 * by key. A batched module's first dimension is the batch, and requests are stacked along it.
 */
final class TorchScriptModel implements RowBatchedModel {
  private final Model model;
  private final ModelMetadata metadata;
  private final boolean batched;

  TorchScriptModel(Model model, List<TensorSpec> inputs, List<TensorSpec> outputs, boolean batched) {
    this.model = model;
    this.batched = batched;
    this.metadata = new ModelMetadata(TorchScriptRuntime.PLATFORM, inputs, outputs);
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public boolean stacks(InferenceRequest request) {
    return batched;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDList inputs = new NDList();
      for (TensorSpec spec : metadata.inputs()) {
        Tensor tensor = request.input(spec.name());
        inputs.add(manager.create(tensor.data(), new Shape(tensor.shape()), TorchTypes.djl(tensor.datatype())));
      }
      NDList results = model.getBlock().forward(new ParameterStore(manager, false), inputs, false);
      List<Tensor> outputs = new ArrayList<>();
      for (int i = 0; i < metadata.outputs().size(); i++) {
        TensorSpec spec = metadata.outputs().get(i);
        outputs.add(tensor(spec, result(results, spec.name(), i)));
      }
      return outputs;
    }
  }

  /** A dict result's tensor named like the output, else the result at the output's position. */
  private static NDArray result(NDList results, String name, int position) {
    NDArray named = results.get(name);
    if (named != null) {
      return named;
    }
    if (position >= results.size()) {
      throw new InferenceException.ModelFailure(
          "The module returned %d tensors; output %s is declared at position %d.".formatted(results.size(), name, position),
          null);
    }
    return results.get(position);
  }

  private static Tensor tensor(TensorSpec spec, NDArray array) {
    DataType datatype = TorchTypes.quiver(array.getDataType());
    if (datatype != spec.datatype()) {
      throw new InferenceException.ModelFailure(
          "Output %s is %s; it is declared %s.".formatted(spec.name(), datatype, spec.datatype()), null);
    }
    return Tensor.of(spec.name(), datatype, array.getShape().getShape(), array.toByteBuffer());
  }

  @Override
  public void close() {
    model.close();
  }
}
