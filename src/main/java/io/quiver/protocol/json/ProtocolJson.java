package io.quiver.protocol.json;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * How every protocol reads JSON bodies.
 *
 * <ul>
 *   <li>Python's {@code json.dumps}, which pandas users and {@code requests} write with, puts
 *       missing values as the bare literals {@code NaN}, {@code Infinity} and {@code -Infinity}:
 *       they are accepted as the IEEE values.
 *   <li>Tensors in JSON are mostly decimal numbers: Jackson's own double parser (correctly rounded,
 *       like the JDK's) reads them several times faster than {@link Double#parseDouble}, which
 *       dominated the decoding of many-row requests.
 * </ul>
 */
@Singleton
public class ProtocolJson implements ObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    mapper.getFactory().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
    mapper.getFactory().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
  }
}
