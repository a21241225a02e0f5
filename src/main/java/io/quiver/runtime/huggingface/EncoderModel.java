package io.quiver.runtime.huggingface;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.onnx.OnnxSessions;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face encoder (BERT and its kin) exported to ONNX, answering texts for one task. A
 * batch of requests is tokenized together, padded to its longest text, and run as one ONNX
 * Runtime call; each request gets the rows of its own texts back, so answers do not depend on
 * what they were batched with.
 */
class EncoderModel implements LoadedModel {
  static final String PLATFORM = "huggingface_onnx";
  static final String INPUT = "input-0";

  private final OnnxSessions.Session session;
  private final TextTokenizer tokenizer;
  private final EncoderHead head;
  private final ModelMetadata metadata;
  private final Set<String> modelInputs;

  EncoderModel(OnnxSessions.Session session, TextTokenizer tokenizer, EncoderHead head) throws OrtException {
    this.session = session;
    this.tokenizer = tokenizer;
    this.head = head;
    this.metadata =
        new ModelMetadata(PLATFORM, List.of(TensorSpec.of(INPUT, DataType.BYTES, -1)), head.outputs(), head.outputsAreColumns());
    this.modelInputs = session.session().getInputNames();
    if (!modelInputs.contains("input_ids")) {
      throw new IllegalArgumentException("the ONNX model has no input_ids input (inputs: %s)".formatted(modelInputs));
    }
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  TextTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public List<InferenceResult> infer(List<InferenceRequest> batch) {
    List<String> texts = new ArrayList<>();
    int[] firstRow = new int[batch.size() + 1];
    for (int r = 0; r < batch.size(); r++) {
      Tensor input = batch.get(r).input(INPUT);
      for (int i = 0; i < input.elementCount(); i++) {
        texts.add(input.stringAt(i));
      }
      firstRow[r + 1] = texts.size();
    }
    List<InferenceResult> results = new ArrayList<>(batch.size());
    try {
      TextTokenizer.Batch tokens = tokenizer.encode(texts);
      try (OrtSession.Result output = run(tokens)) {
        OnnxTensor first = (OnnxTensor) output.get(0);
        FloatBuffer values = first.getFloatBuffer();
        long[] shape = first.getInfo().getShape();
        for (int r = 0; r < batch.size(); r++) {
          results.add(answer(values, shape, tokens, firstRow[r], firstRow[r + 1] - firstRow[r]));
        }
      }
    } catch (OrtException | RuntimeException e) {
      InferenceException failure =
          e instanceof InferenceException known ? known : new InferenceException.ModelFailure(String.valueOf(e.getMessage()), e);
      while (results.size() < batch.size()) {
        results.add(new InferenceResult.Failed(failure));
      }
    }
    return results;
  }

  private InferenceResult answer(FloatBuffer values, long[] shape, TextTokenizer.Batch tokens, int from, int count) {
    try {
      return new InferenceResult.Outputs(head.answer(values, shape, tokens, from, count));
    } catch (InferenceException e) {
      return new InferenceResult.Failed(e);
    }
  }

  private OrtSession.Result run(TextTokenizer.Batch tokens) throws OrtException {
    long[] shape = {tokens.rows(), tokens.columns()};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(session.environment(), LongBuffer.wrap(tokens.ids()), shape));
      if (modelInputs.contains("attention_mask")) {
        inputs.put("attention_mask", OnnxTensor.createTensor(session.environment(), LongBuffer.wrap(tokens.attentionMask()), shape));
      }
      if (modelInputs.contains("token_type_ids")) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(session.environment(), LongBuffer.wrap(tokens.typeIds()), shape));
      }
      return session.session().run(inputs);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      tokenizer.close();
    }
  }
}
