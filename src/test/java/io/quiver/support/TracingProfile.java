package io.quiver.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The server exporting traces to an OTLP receiver, with a real Kafka broker for the event path. */
public class TracingProfile implements QuarkusTestProfile {
  private static OtlpReceiver receiver;

  /** The spans the server has exported so far. */
  public static OtlpReceiver receiver() {
    return receiver;
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(KafkaTestResource.class), new TestResourceEntry(Collector.class));
  }

  /** Starts the receiver and points the server's OTLP exporter at it, as OTEL_EXPORTER_OTLP_ENDPOINT would. */
  public static class Collector implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      receiver = OtlpReceiver.start();
      return Map.of("quarkus.otel.exporter.otlp.endpoint", receiver.endpoint(), "quarkus.otel.sdk.disabled", "false");
    }

    @Override
    public void stop() {
      receiver.close();
    }
  }
}
