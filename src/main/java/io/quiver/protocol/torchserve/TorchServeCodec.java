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
import io.quiver.core.tensor.Tensor;
import io.quiver.protocol.json.JsonTensorReader;
import io.quiver.protocol.json.NamedTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    List<Tensor> inputs;
    try (JsonParser parser = json.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        if (metadata.inputs().size() != 1) {
          throw new InvalidInput(
              "Model %s takes %d inputs (%s): send an object of arrays by input name."
                  .formatted(model, metadata.inputs().size(), NamedTensors.names(metadata.inputs())));
        }
        inputs = List.of(NamedTensors.read(parser, metadata.inputs().getFirst(), JsonTensorReader::readValue));
      } else if (first == JsonToken.START_OBJECT) {
        inputs = NamedTensors.readObject(parser, metadata, model, JsonTensorReader::readValue);
      } else {
        throw new InvalidInput(
            "The body must be a JSON array of numbers (TorchServe's tensor body), or an object of them by input name.");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidInput("The request body is not valid JSON: " + e.getOriginalMessage());
    }
    return new InferenceRequest(null, model, version, inputs, List.of(), Map.of());
  }

  byte[] write(InferenceResponse response) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = json.createGenerator(out)) {
      NamedTensors.write(generator, response.outputs(), output -> false);
    }
    return out.toByteArray();
  }
}
