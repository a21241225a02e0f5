package io.quiver.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model in an ONNX Runtime session. Sessions run concurrent requests safely. Requests are
 * stacked into one run when every input's first dimension is free.
 */
final class OnnxModel implements RowBatchedModel {
  private final OrtEnvironment environment;
  private final OnnxSessions.Session owned;
  private final OrtSession session;
  private final ModelMetadata metadata;
  private final Set<String> allOutputs;
  /** Whether every input's first dimension is free: the batch dimension requests stack along. */
  private final boolean batchDimension;

  OnnxModel(OnnxSessions.Session owned, ModelMetadata metadata) {
    this.environment = owned.environment();
    this.owned = owned;
    this.session = owned.session();
    this.metadata = metadata;
    this.allOutputs = new LinkedHashSet<>(metadata.outputs().stream().map(TensorSpec::name).toList());
    this.batchDimension = metadata.inputsHaveBatchDimension();
  }

  @Override
  public boolean stacks(InferenceRequest request) {
    return batchDimension;
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) throws OrtException {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      for (Tensor input : request.inputs()) {
        inputs.put(input.name(), toOnnx(input));
      }
      Set<String> wanted = wantedOutputs(request.outputs());
      try (OrtSession.Result result = session.run(inputs, wanted)) {
        List<Tensor> outputs = new ArrayList<>(wanted.size());
        for (String name : wanted) {
          OnnxValue value = result.get(name).orElseThrow();
          outputs.add(fromOnnx(name, (OnnxTensor) value));
        }
        return outputs;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private Set<String> wantedOutputs(List<RequestedOutput> requested) {
    if (requested.isEmpty()) {
      return allOutputs;
    }
    Set<String> wanted = new LinkedHashSet<>();
    requested.forEach(output -> wanted.add(output.name()));
    return wanted;
  }

  private OnnxTensor toOnnx(Tensor tensor) throws OrtException {
    long[] shape = tensor.shape();
    if (tensor.datatype() == DataType.BYTES) {
      String[] strings = new String[Math.toIntExact(tensor.elementCount())];
      for (int i = 0; i < strings.length; i++) {
        strings[i] = tensor.stringAt(i);
      }
      return OnnxTensor.createTensor(environment, strings, shape);
    }
    // ONNX Runtime takes direct buffers as they are; other buffers it copies, but only through
    // the typed view matching the element type.
    ByteBuffer data = tensor.data();
    OnnxJavaType type = OnnxTypes.javaType(tensor.datatype());
    return switch (type) {
      case FLOAT -> OnnxTensor.createTensor(environment, data.asFloatBuffer(), shape);
      case DOUBLE -> OnnxTensor.createTensor(environment, data.asDoubleBuffer(), shape);
      case INT32 -> OnnxTensor.createTensor(environment, data.asIntBuffer(), shape);
      case INT64 -> OnnxTensor.createTensor(environment, data.asLongBuffer(), shape);
      case INT16, FLOAT16, BFLOAT16 ->
          OnnxTensor.createTensor(environment, data.asShortBuffer(), shape, type);
      default -> OnnxTensor.createTensor(environment, data, shape, type);
    };
  }

  private Tensor fromOnnx(String name, OnnxTensor value) throws OrtException {
    long[] shape = value.getInfo().getShape();
    DataType datatype = metadata.output(name).datatype();
    if (datatype == DataType.BYTES) {
      TensorBuilder strings = new TensorBuilder(DataType.BYTES, (int) value.getInfo().getNumElements());
      appendStrings(value.getValue(), strings);
      return strings.build(name, shape);
    }
    return Tensor.of(name, datatype, shape, value.getByteBuffer());
  }

  /** ONNX Runtime hands string tensors back as nested String arrays: flatten them row-major. */
  private static void appendStrings(Object value, TensorBuilder builder) {
    if (value instanceof String text) {
      builder.addBytes(text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    for (int i = 0, n = Array.getLength(value); i < n; i++) {
      appendStrings(Array.get(value, i), builder);
    }
  }

  @Override
  public void close() {
    owned.close();
  }
}
