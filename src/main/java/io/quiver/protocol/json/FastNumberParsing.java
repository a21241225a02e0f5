package io.quiver.protocol.json;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Tensors in JSON are mostly decimal numbers: Jackson's own double parser (correctly rounded, like
 * the JDK's) reads them several times faster than {@link Double#parseDouble}, which dominated the
 * decoding of many-row requests.
 */
@Singleton
public class FastNumberParsing implements ObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    mapper.getFactory().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
  }
}
