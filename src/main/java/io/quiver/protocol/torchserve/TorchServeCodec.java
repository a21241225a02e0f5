package io.quiver.protocol.torchserve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceResponse;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.protocol.json.JsonTensorReader;
import io.quiver.protocol.json.JsonTensorWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TorchServe's tensor bodies, as its base handler reads and writes them ({@code
 * torch.as_tensor(body)} and {@code tolist()}): a request is a JSON array of numbers, nested to the
 * input's rank, for a model with one input, or an object of such arrays by input name; the answer
 * is the output's nested array, or an object of them by output name when there are several.
 */
final class TorchServeCodec {
  private final JsonFactory json;

  TorchServeCodec(JsonFactory json) {
    this.json = json;
  }

  InferenceRequest read(byte[] body, String model, String version, ModelMetadata metadata) throws IOException {
    List<Tensor> inputs = new ArrayList<>();
    try (JsonParser parser = json.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        if (metadata.inputs().size() != 1) {
          throw new InvalidInput(
              "Model %s takes %d inputs (%s): send an object of arrays by input name."
                  .formatted(model, metadata.inputs().size(), names(metadata.inputs())));
        }
        inputs.add(tensor(parser, metadata.inputs().getFirst()));
      } else if (first == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          TensorSpec spec = metadata.input(name);
          if (spec == null) {
            throw new InvalidInput("Model %s has no input named '%s' (inputs: %s).".formatted(model, name, names(metadata.inputs())));
          }
          parser.nextToken();
          inputs.add(tensor(parser, spec));
        }
      } else {
        throw new InvalidInput(
            "The body must be a JSON array of numbers (TorchServe's tensor body), or an object of them by input name.");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidInput("The request body is not valid JSON: " + e.getOriginalMessage());
    }
    return new InferenceRequest(null, model, version, inputs, List.of(), Map.of());
  }

  private static Tensor tensor(JsonParser parser, TensorSpec spec) throws IOException {
    TensorBuilder builder = new TensorBuilder(spec.datatype(), 64);
    long[] shape = JsonTensorReader.readRow(parser, builder, spec.name());
    return builder.build(spec.name(), shape);
  }

  byte[] write(InferenceResponse response) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = json.createGenerator(out)) {
      List<Tensor> outputs = response.outputs();
      if (outputs.size() == 1) {
        JsonTensorWriter.writeNested(generator, outputs.getFirst(), 0, 0);
      } else {
        generator.writeStartObject();
        for (Tensor output : outputs) {
          generator.writeFieldName(output.name());
          JsonTensorWriter.writeNested(generator, output, 0, 0);
        }
        generator.writeEndObject();
      }
    }
    return out.toByteArray();
  }

  private static String names(List<TensorSpec> specs) {
    return String.join(", ", specs.stream().map(TensorSpec::name).toList());
  }
}
