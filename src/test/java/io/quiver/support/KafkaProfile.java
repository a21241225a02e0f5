package io.quiver.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** The server with a real Kafka broker: event path on, payload logging on. */
public class KafkaProfile implements QuarkusTestProfile {
  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(KafkaTestResource.class));
  }
}
