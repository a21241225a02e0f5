package io.quiver.core.spi;

import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that computes each row of its inputs independently (a table model, or an ONNX graph
 * whose first dimension is the batch): when the scheduler hands it several requests at once,
 * those that agree on everything but their row count (input names, datatypes and other
 * dimensions, outputs asked for) are stacked along the first dimension into one {@link #predict}
 * call, and each gets its own rows of every output back. A stacked call that fails, or whose
 * outputs do not have one row per input row, is run again one request at a time, so one bad
 * request fails alone and the answers equal unbatched ones.
 */
public interface RowBatchedModel extends PerRequestModel {

  /** Whether a request may be stacked with others; default yes. */
  default boolean stacks(InferenceRequest request) {
    return true;
  }

  @Override
  default List<InferenceResult> infer(List<InferenceRequest> batch) {
    if (batch.size() == 1) {
      return PerRequestModel.answerEach(this, batch);
    }
    Map<Object, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      InferenceRequest request = batch.get(i);
      Object key = stacks(request) ? StackKey.of(request) : i;
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    InferenceResult[] results = new InferenceResult[batch.size()];
    for (List<Integer> group : groups.values()) {
      List<InferenceRequest> requests = group.stream().map(batch::get).toList();
      List<InferenceResult> answers = requests.size() == 1 ? PerRequestModel.answerEach(this, requests) : stacked(requests);
      for (int k = 0; k < group.size(); k++) {
        results[group.get(k)] = answers.get(k);
      }
    }
    return Arrays.asList(results);
  }

  private List<InferenceResult> stacked(List<InferenceRequest> requests) {
    InferenceRequest first = requests.getFirst();
    List<Tensor> inputs = new ArrayList<>(first.inputs().size());
    for (Tensor input : first.inputs()) {
      inputs.add(Tensor.concatRows(input.name(), requests.stream().map(r -> r.input(input.name())).toList()));
    }
    long totalRows = inputs.getFirst().dim(0);
    List<Tensor> outputs;
    try {
      outputs = predict(first.withInputs(inputs));
    } catch (Exception | LinkageError e) {
      return PerRequestModel.answerEach(this, requests);
    }
    for (Tensor output : outputs) {
      if (output.rank() == 0 || output.dim(0) != totalRows) {
        return PerRequestModel.answerEach(this, requests);
      }
    }
    List<InferenceResult> results = new ArrayList<>(requests.size());
    int from = 0;
    for (InferenceRequest request : requests) {
      int rows = Math.toIntExact(request.inputs().getFirst().dim(0));
      List<Tensor> own = new ArrayList<>(outputs.size());
      for (Tensor output : outputs) {
        own.add(output.rows(output.name(), from, rows));
      }
      results.add(new InferenceResult.Outputs(own));
      from += rows;
    }
    return results;
  }

  /** What requests must share to be stacked: their inputs but for the row count, and their outputs. */
  record StackKey(List<String> inputs, List<String> outputs) {
    static StackKey of(InferenceRequest request) {
      List<String> inputs =
          request.inputs().stream()
              .sorted(Comparator.comparing(Tensor::name))
              .map(t -> t.name() + ":" + t.datatype() + ":" + Arrays.toString(Arrays.copyOfRange(t.shape(), 1, t.rank())))
              .toList();
      return new StackKey(inputs, request.outputs().stream().map(RequestedOutput::name).toList());
    }
  }
}
