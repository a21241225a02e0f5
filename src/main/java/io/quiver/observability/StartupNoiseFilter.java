package io.quiver.observability;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Drops two start-up warnings about choices Quiver makes on purpose, so that a clean start logs no
 * warning: gRPC on its own port (KServe's 8081; Quarkus calls it "legacy"), and the Kafka event
 * path's channels left unconnected while it is switched off.
 */
@LoggingFilter(name = "quiver-startup-noise")
public final class StartupNoiseFilter implements Filter {
  @Override
  public boolean isLoggable(LogRecord record) {
    String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    if (text == null) {
      return true;
    }
    boolean separateGrpcServer = text.startsWith("Using legacy gRPC support with a separate HTTP server");
    boolean kafkaOff = text.startsWith("SRMSG00207") && text.contains("inference-re");
    return !separateGrpcServer && !kafkaOff;
  }
}
