package io.quiver.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a row-batched model groups, stacks and splits the requests of a batch. */
class RowBatchedModelTest {
  /** Doubles its INT64 input; refuses negative values; counts its calls and their row counts. */
  private static final class Doubling implements RowBatchedModel {
    final List<Long> calls = new ArrayList<>();
    boolean perRowOutputs = true;

    @Override
    public ModelMetadata metadata() {
      return new ModelMetadata("test", List.of(TensorSpec.of("x", DataType.INT64, -1)), List.of(TensorSpec.of("y", DataType.INT64, -1)));
    }

    @Override
    public List<Tensor> predict(InferenceRequest request) {
      Tensor x = request.input("x");
      calls.add(x.dim(0));
      TensorBuilder y = new TensorBuilder(DataType.INT64, (int) x.dim(0));
      for (int i = 0; i < x.dim(0); i++) {
        if (x.getLong(i) < 0) {
          throw new InferenceException.InvalidInput("negative input " + x.getLong(i));
        }
        y.addLong(2 * x.getLong(i));
      }
      return List.of(perRowOutputs ? y.build("y", new long[] {x.dim(0)}) : y.build("y", new long[] {x.dim(0)}).rows("y", 0, 1));
    }

    @Override
    public void close() {}
  }

  private static InferenceRequest request(List<RequestedOutput> outputs, long... values) {
    TensorBuilder x = new TensorBuilder(DataType.INT64, values.length);
    for (long value : values) {
      x.addLong(value);
    }
    return new InferenceRequest("r", "m", null, List.of(x.build("x", new long[] {values.length})), outputs, Map.of());
  }

  private static long[] answer(InferenceResult result) {
    Tensor y = assertInstanceOf(InferenceResult.Outputs.class, result).tensors().getFirst();
    long[] values = new long[(int) y.dim(0)];
    for (int i = 0; i < values.length; i++) {
      values[i] = y.getLong(i);
    }
    return values;
  }

  @Test
  void compatibleRequestsRunAsOneCallAndEachGetsItsRows() {
    Doubling model = new Doubling();
    List<InferenceResult> results =
        model.infer(List.of(request(List.of(), 1), request(List.of(), 2, 3), request(List.of(), 4, 5, 6)));
    assertEquals(List.of(6L), model.calls, "one call of six rows");
    assertEquals("[2]", java.util.Arrays.toString(answer(results.get(0))));
    assertEquals("[4, 6]", java.util.Arrays.toString(answer(results.get(1))));
    assertEquals("[8, 10, 12]", java.util.Arrays.toString(answer(results.get(2))));
  }

  @Test
  void requestsAskingForDifferentOutputsRunApart() {
    Doubling model = new Doubling();
    model.infer(List.of(request(List.of(), 1), request(List.of(new RequestedOutput("y", Map.of())), 2), request(List.of(), 3)));
    assertEquals(List.of(2L, 1L), model.calls);
  }

  @Test
  void aFailedStackRunsEachAloneSoOnlyTheBadRequestFails() {
    Doubling model = new Doubling();
    List<InferenceResult> results = model.infer(List.of(request(List.of(), 1), request(List.of(), -2), request(List.of(), 3)));
    assertEquals(List.of(3L, 1L, 1L, 1L), model.calls, "the stacked call, then each alone");
    assertEquals("[2]", java.util.Arrays.toString(answer(results.get(0))));
    assertInstanceOf(InferenceResult.Failed.class, results.get(1));
    assertEquals("[6]", java.util.Arrays.toString(answer(results.get(2))));
  }

  @Test
  void outputsWithoutOneRowPerInputRowAreNotSplit() {
    Doubling model = new Doubling();
    model.perRowOutputs = false;
    List<InferenceResult> results = model.infer(List.of(request(List.of(), 1, 2), request(List.of(), 3)));
    assertEquals(List.of(3L, 2L, 1L), model.calls, "the stacked call's output had one row for three: each ran alone");
    assertEquals("[2]", java.util.Arrays.toString(answer(results.get(0))));
    assertEquals("[6]", java.util.Arrays.toString(answer(results.get(1))));
  }
}
