package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.protocol.json.JsonTensorReader.ValueReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Whole tensors in JSON, each nested to its rank and named by its input or output: TF Serving's
 * columnar {@code "inputs"} and {@code "outputs"}, and TorchServe's tensor bodies.
 */
public final class NamedTensors {
  private NamedTensors() {}

  /** An object of tensors by input name, the parser on its start. */
  public static List<Tensor> readObject(JsonParser parser, ModelMetadata metadata, String model, ValueReader values)
      throws IOException {
    List<Tensor> tensors = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      TensorSpec spec = metadata.input(name);
      if (spec == null) {
        throw new InvalidInput("Model %s has no input named '%s' (inputs: %s).".formatted(model, name, names(metadata.inputs())));
      }
      parser.nextToken();
      tensors.add(read(parser, spec, values));
    }
    return tensors;
  }

  /** The tensor under the parser, for one input: nested arrays, or a scalar. */
  public static Tensor read(JsonParser parser, TensorSpec spec, ValueReader values) throws IOException {
    TensorBuilder builder = new TensorBuilder(spec.datatype(), 64);
    long[] shape = JsonTensorReader.readRow(parser, builder, spec.name(), values);
    return builder.build(spec.name(), shape);
  }

  /**
   * The only output's nested value, or an object of them by output name; BYTES elements of the
   * outputs {@code base64} picks are written as {@code {"b64": "..."}}.
   */
  public static void write(JsonGenerator json, List<Tensor> outputs, Predicate<Tensor> base64) throws IOException {
    if (outputs.size() == 1) {
      JsonTensorWriter.writeNested(json, outputs.getFirst(), 0, 0, base64.test(outputs.getFirst()));
      return;
    }
    json.writeStartObject();
    for (Tensor output : outputs) {
      json.writeFieldName(output.name());
      JsonTensorWriter.writeNested(json, output, 0, 0, base64.test(output));
    }
    json.writeEndObject();
  }

  /** The tensors' names, for messages. */
  public static String names(List<TensorSpec> specs) {
    return String.join(", ", specs.stream().map(TensorSpec::name).toList());
  }
}
