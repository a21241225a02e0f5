package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * k8s/knative/service.yaml is the Knative Service that quarkus-kubernetes generates at build time
 * (target/kubernetes/knative.yml), with the two edits Quarkus 3.33 cannot make: the port named
 * h2c (one port for REST and gRPC) and no {@code port: null} in the probes. Changing the
 * quarkus.knative.* keys or src/main/kubernetes/knative.yml without the kept file fails here.
 */
class GeneratedManifestIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void theKeptKnativeServiceIsTheGeneratedOne() throws Exception {
    Path generated = Path.of("target/kubernetes/knative.yml");
    assertTrue(Files.exists(generated), "the build generated no Knative manifest");
    JsonNode service = YAML.readTree(generated.toFile());
    assertEquals("serving.knative.dev/v1", service.get("apiVersion").asText());
    for (JsonNode container : service.at("/spec/template/spec/containers")) {
      container.get("ports").forEach(port -> assertEquals("http1", port.get("name").asText(), "what Quarkus names the port"));
      container.get("ports").forEach(port -> ((ObjectNode) port).put("name", "h2c"));
      for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
        JsonNode action = container.path(probe).path("httpGet");
        if (action.has("port") && action.get("port").isNull()) {
          ((ObjectNode) action).remove("port");
        }
      }
    }
    assertEquals(service, YAML.readTree(Path.of("k8s/knative/service.yaml").toFile()));
  }
}
