package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an encoder's output for some rows of a batch into a request's answer, as KServe's
 * Hugging Face server answers for the task.
 */
sealed interface EncoderHead {

  /** The outputs the head answers with. */
  List<TensorSpec> outputs();

  /** Whether the outputs are the columns of one table (KServe's v1 then answers an object per row). */
  default boolean outputsAreColumns() {
    return false;
  }

  /**
   * The answer for rows {@code from .. from + count} of the batch.
   *
   * @param output the model's first output for the whole batch, row-major
   * @param shape its shape
   */
  List<Tensor> answer(FloatBuffer output, long[] shape, TextTokenizer.Batch batch, int from, int count);

  String OUTPUT = "output-0";

  /** Each text's likeliest class index, or (with return_probabilities) every class's probability. */
  record SequenceClassification(int classes, boolean probabilities) implements EncoderHead {
    @Override
    public List<TensorSpec> outputs() {
      if (!probabilities) {
        return List.of(TensorSpec.of(OUTPUT, DataType.INT64, -1));
      }
      List<TensorSpec> columns = new ArrayList<>();
      for (int c = 0; c < classes; c++) {
        columns.add(TensorSpec.of(Integer.toString(c), DataType.FP32, -1));
      }
      return columns;
    }

    @Override
    public boolean outputsAreColumns() {
      return probabilities;
    }

    @Override
    public List<Tensor> answer(FloatBuffer logits, long[] shape, TextTokenizer.Batch batch, int from, int count) {
      int width = Math.toIntExact(shape[1]);
      if (!probabilities) {
        TensorBuilder labels = new TensorBuilder(DataType.INT64, count);
        for (int row = from; row < from + count; row++) {
          labels.addLong(argmax(logits, row * width, width));
        }
        return List.of(labels.build(OUTPUT, new long[] {count}));
      }
      float[][] columns = new float[width][count];
      for (int row = 0; row < count; row++) {
        float[] probabilities = softmax(logits, (from + row) * width, width);
        for (int c = 0; c < width; c++) {
          // KServe rounds to four decimals
          columns[c][row] = (float) (Math.round(probabilities[c] * 1e4) / 1e4);
        }
      }
      List<Tensor> tensors = new ArrayList<>(width);
      for (int c = 0; c < width; c++) {
        tensors.add(floats(Integer.toString(c), columns[c], new long[] {count}));
      }
      return tensors;
    }
  }

  /** Each token's likeliest class index, over the request's texts padded to its longest. */
  record TokenClassification() implements EncoderHead {
    @Override
    public List<TensorSpec> outputs() {
      return List.of(TensorSpec.of(OUTPUT, DataType.INT64, -1, 1, -1));
    }

    @Override
    public List<Tensor> answer(FloatBuffer logits, long[] shape, TextTokenizer.Batch batch, int from, int count) {
      int columns = Math.toIntExact(shape[1]);
      int classes = Math.toIntExact(shape[2]);
      int longest = 0;
      for (int row = from; row < from + count; row++) {
        longest = Math.max(longest, batch.lengths()[row]);
      }
      TensorBuilder labels = new TensorBuilder(DataType.INT64, count * longest);
      for (int row = from; row < from + count; row++) {
        for (int token = 0; token < longest; token++) {
          labels.addLong(argmax(logits, (row * columns + token) * classes, classes));
        }
      }
      return List.of(labels.build(OUTPUT, new long[] {count, 1, longest}));
    }
  }

  /** The likeliest token at each text's mask, decoded. */
  record FillMask(TextTokenizer tokenizer, long maskId) implements EncoderHead {
    @Override
    public List<TensorSpec> outputs() {
      return List.of(TensorSpec.of(OUTPUT, DataType.BYTES, -1));
    }

    @Override
    public List<Tensor> answer(FloatBuffer logits, long[] shape, TextTokenizer.Batch batch, int from, int count) {
      int columns = Math.toIntExact(shape[1]);
      int vocabulary = Math.toIntExact(shape[2]);
      TensorBuilder filled = new TensorBuilder(DataType.BYTES, count);
      for (int row = from; row < from + count; row++) {
        List<Long> predicted = new ArrayList<>();
        for (int token = 0; token < batch.lengths()[row]; token++) {
          if (batch.ids()[row * batch.columns() + token] == maskId) {
            predicted.add((long) argmax(logits, (row * columns + token) * vocabulary, vocabulary));
          }
        }
        if (predicted.isEmpty()) {
          throw new InvalidInput("Text %d of the request has no mask token to fill.".formatted(row - from));
        }
        long[] ids = predicted.stream().mapToLong(Long::longValue).toArray();
        filled.addBytes(tokenizer.decode(ids, false).getBytes(StandardCharsets.UTF_8));
      }
      return List.of(filled.build(OUTPUT, new long[] {count}));
    }
  }

  /** One vector per text: token vectors pooled over the text's own tokens, optionally scaled to length 1. */
  record Embedding(int dimensions, ModelFolder.Pooling pooling, boolean normalize) implements EncoderHead {
    @Override
    public List<TensorSpec> outputs() {
      return List.of(TensorSpec.of(OUTPUT, DataType.FP32, -1, dimensions));
    }

    @Override
    public List<Tensor> answer(FloatBuffer hidden, long[] shape, TextTokenizer.Batch batch, int from, int count) {
      int columns = Math.toIntExact(shape[1]);
      float[] vectors = new float[count * dimensions];
      for (int row = 0; row < count; row++) {
        pool(hidden, (from + row) * columns, batch.lengths()[from + row], vectors, row * dimensions);
        if (normalize) {
          normalize(vectors, row * dimensions);
        }
      }
      return List.of(floats(OUTPUT, vectors, new long[] {count, dimensions}));
    }

    /** Pools the first {@code tokens} token vectors starting at token {@code firstToken} (padding is never among them). */
    private void pool(FloatBuffer hidden, int firstToken, int tokens, float[] into, int at) {
      switch (pooling) {
        case CLS -> hidden.get(firstToken * dimensions, into, at, dimensions);
        case MEAN -> {
          for (int t = 0; t < tokens; t++) {
            int base = (firstToken + t) * dimensions;
            for (int d = 0; d < dimensions; d++) {
              into[at + d] += hidden.get(base + d);
            }
          }
          for (int d = 0; d < dimensions; d++) {
            into[at + d] /= Math.max(tokens, 1);
          }
        }
        case MAX -> {
          java.util.Arrays.fill(into, at, at + dimensions, Float.NEGATIVE_INFINITY);
          for (int t = 0; t < tokens; t++) {
            int base = (firstToken + t) * dimensions;
            for (int d = 0; d < dimensions; d++) {
              into[at + d] = Math.max(into[at + d], hidden.get(base + d));
            }
          }
        }
      }
    }

    private void normalize(float[] vectors, int at) {
      double sum = 0;
      for (int d = 0; d < dimensions; d++) {
        sum += (double) vectors[at + d] * vectors[at + d];
      }
      // as torch.nn.functional.normalize: never divide by less than 1e-12
      double norm = Math.max(Math.sqrt(sum), 1e-12);
      for (int d = 0; d < dimensions; d++) {
        vectors[at + d] = (float) (vectors[at + d] / norm);
      }
    }
  }

  private static int argmax(FloatBuffer values, int from, int count) {
    int best = 0;
    float bestValue = values.get(from);
    for (int i = 1; i < count; i++) {
      float value = values.get(from + i);
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    return best;
  }

  private static float[] softmax(FloatBuffer logits, int from, int count) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      max = Math.max(max, logits.get(from + i));
    }
    float[] result = new float[count];
    double sum = 0;
    for (int i = 0; i < count; i++) {
      result[i] = (float) Math.exp(logits.get(from + i) - max);
      sum += result[i];
    }
    for (int i = 0; i < count; i++) {
      result[i] = (float) (result[i] / sum);
    }
    return result;
  }

  private static Tensor floats(String name, float[] values, long[] shape) {
    ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return Tensor.of(name, DataType.FP32, shape, data);
  }
}
