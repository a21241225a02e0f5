package io.quiver.runtime.tensorflow;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelMetadata.Signature;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;

/**
 * One loaded SavedModel. Each request runs the signature it names (the default one otherwise) in
 * the model's session, which TensorFlow lets many threads share. Requests for the default
 * signature are stacked along the first dimension when every input of it has a variable first
 * dimension.
 */
final class TensorFlowModel implements RowBatchedModel {
  private final SavedModelBundle bundle;
  private final ModelMetadata metadata;
  private final String defaultSignature;
  private final boolean batchable;

  TensorFlowModel(SavedModelBundle bundle, ModelMetadata metadata, String defaultSignature) {
    this.bundle = bundle;
    this.metadata = metadata;
    this.defaultSignature = defaultSignature;
    this.batchable = metadata.inputsHaveBatchDimension();
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public boolean stacks(InferenceRequest request) {
    String name = ModelMetadata.signatureName(request);
    return batchable && (name == null || name.equals(defaultSignature));
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    String name = ModelMetadata.signatureName(request);
    String key = name == null ? defaultSignature : name;
    Signature signature = metadata.signatures().get(key);
    Map<String, org.tensorflow.Tensor> inputs = new LinkedHashMap<>();
    try {
      for (TensorSpec spec : signature.inputs()) {
        inputs.put(spec.name(), toTensorFlow(request.input(spec.name())));
      }
      try (Result result = bundle.function(key).call(inputs)) {
        List<Tensor> outputs = new ArrayList<>(signature.outputs().size());
        for (TensorSpec spec : signature.outputs()) {
          org.tensorflow.Tensor output =
              result.get(spec.name()).orElseThrow(() -> new InferenceException.ModelFailure("Signature %s gave no output %s.".formatted(key, spec.name()), null));
          outputs.add(fromTensorFlow(spec.name(), output));
        }
        return outputs;
      }
    } catch (TFInvalidArgumentException e) {
      // TensorFlow's own check of the values (a feature of the wrong type, a bad reshape): the caller's to fix
      String message = e.getMessage() == null ? "TensorFlow refused the input." : e.getMessage().lines().findFirst().orElse("").strip();
      throw new InferenceException.InvalidInput("Signature %s: %s".formatted(key, message));
    } finally {
      inputs.values().forEach(org.tensorflow.Tensor::close);
    }
  }

  private static org.tensorflow.Tensor toTensorFlow(Tensor tensor) {
    Shape shape = Shape.of(tensor.shape());
    if (tensor.datatype() == DataType.BYTES) {
      byte[][] elements = new byte[Math.toIntExact(tensor.elementCount())][];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = tensor.copyBytesAt(i);
      }
      return TString.tensorOfBytes(shape, DataBuffers.ofObjects(elements));
    }
    return org.tensorflow.Tensor.of(TensorFlowTypes.java(tensor.datatype()), shape, DataBuffers.of(tensor.data()));
  }

  private static Tensor fromTensorFlow(String name, org.tensorflow.Tensor tensor) {
    long[] shape = tensor.shape().asArray();
    if (tensor instanceof TString strings) {
      TensorBuilder builder = new TensorBuilder(DataType.BYTES, Math.toIntExact(tensor.size()));
      strings.asBytes().scalars().forEach(element -> builder.addBytes(element.getObject()));
      return builder.build(name, shape);
    }
    DataType datatype = TensorFlowTypes.protocol(tensor.dataType());
    if (datatype == null) {
      throw new InferenceException.ModelFailure("Output %s is %s, which Quiver cannot return.".formatted(name, tensor.dataType()), null);
    }
    byte[] bytes = new byte[Math.toIntExact(tensor.numBytes())];
    tensor.asRawTensor().data().read(bytes);
    return Tensor.of(name, datatype, shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  @Override
  public void close() {
    bundle.close();
  }
}
