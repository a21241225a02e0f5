package io.quiver.runtime.pmml;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.pmml4s.model.Model;

/** Serves {@code model.pmml} files through PMML4S, the evaluator KServe's pypmml wraps. */
@ApplicationScoped
public class PmmlModelRuntime implements ModelRuntime {
  private static final String FILE = "model.pmml";

  @Override
  public String format() {
    return "pmml";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILE).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) throws Exception {
    Path file = source.requireFile(FILE);
    byte[] document = Files.readAllBytes(file);
    requireWellFormed(document);
    return new PmmlModel(Model.fromBytes(document));
  }

  /**
   * Checks the document with the JDK's XML parser before PMML4S reads it: PMML4S's parser prints
   * each syntax error to stdout and, on some malformed input (a NUL byte in a tag), never returns.
   * No DTD or external entity is read: PMML needs neither.
   *
   * @throws IllegalArgumentException saying where the document is malformed
   */
  static void requireWellFormed(byte[] document) {
    XMLInputFactory factory = XMLInputFactory.newFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    try {
      XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(document));
      try {
        while (reader.hasNext()) {
          if (reader.next() == XMLStreamReader.DTD) {
            throw new IllegalArgumentException("the PMML document declares a DTD; PMML needs none");
          }
        }
      } finally {
        reader.close();
      }
    } catch (XMLStreamException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " (line %d, column %d)".formatted(e.getLocation().getLineNumber(), e.getLocation().getColumnNumber());
      throw new IllegalArgumentException("model.pmml is not well-formed XML%s: %s".formatted(where, firstLine(e)));
    }
  }

  private static String firstLine(XMLStreamException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int detail = message.indexOf("Message: ");
    String text = detail >= 0 ? message.substring(detail + "Message: ".length()) : message;
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
