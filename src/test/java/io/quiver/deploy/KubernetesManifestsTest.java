package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in k8s/ parsed into what the cluster would make of it: Knative, KServe and
 * Knative Eventing resources checked against their projects' CRD schemas (strictly: an unknown
 * field fails), Kubernetes' own kinds read into fabric8's typed model (strictly too), and the
 * fields the deployment relies on checked, so a broken manifest fails the build.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("k8s");
  private static final Path CRDS = Path.of("src/test/resources/crds");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** fabric8's model with its catch-all for unknown fields turned off. */
  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                  return Boolean.FALSE;
                }
              });
  private static final Map<String, String> CRD_FILES =
      Map.of(
          "serving.knative.dev/v1/Service", "knative-services.yaml",
          "serving.kserve.io/v1alpha1/ClusterServingRuntime", "kserve-clusterservingruntimes.yaml",
          "serving.kserve.io/v1alpha1/ServingRuntime", "kserve-servingruntimes.yaml",
          "sources.knative.dev/v1/KafkaSource", "knative-kafkasources.yaml");
  private static final Map<String, Class<?>> TYPED =
      Map.of(
          "v1/ServiceAccount", ServiceAccount.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          "apps/v1/Deployment", Deployment.class);

  record Manifest(Path file, JsonNode node) {
    String type() {
      return node.path("apiVersion").asText() + "/" + node.path("kind").asText();
    }

    String name() {
      return node.at("/metadata/name").asText();
    }
  }

  private static List<Manifest> manifests() throws IOException {
    List<Manifest> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode document : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
          if (!document.isNull() && !document.isEmpty()) {
            all.add(new Manifest(file, document));
          }
        }
      }
    }
    return all;
  }

  private static Manifest manifest(String type, String name) throws IOException {
    return manifests().stream()
        .filter(m -> m.type().equals(type) && m.name().equals(name) && !m.file().endsWith("canary.yaml"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " named " + name + " in k8s/"));
  }

  private static List<String> violations(Manifest manifest) throws IOException {
    String crd = CRD_FILES.get(manifest.type());
    if (crd != null) {
      String version = manifest.node().path("apiVersion").asText().replaceAll(".*/", "");
      List<String> problems = CrdSchema.of(YAML.readTree(CRDS.resolve(crd).toFile()), version).violations(manifest.node());
      if (manifest.type().equals("serving.knative.dev/v1/Service")) {
        problems.addAll(typedProblems(podSpec(manifest.node()), PodSpec.class));
      }
      return problems;
    }
    Class<?> typed = TYPED.get(manifest.type());
    if (typed != null) {
      return typedProblems(manifest.node(), typed);
    }
    return switch (manifest.type()) {
      case "serving.kserve.io/v1beta1/InferenceService" ->
          manifest.node().at("/spec/predictor/model/modelFormat/name").isTextual() ? List.of() : List.of("no predictor.model.modelFormat.name");
      case "keda.sh/v1alpha1/ScaledObject" ->
          manifest.node().at("/spec/scaleTargetRef/name").isTextual() && manifest.node().at("/spec/triggers").isArray()
              ? List.of()
              : List.of("a ScaledObject needs scaleTargetRef.name and triggers");
      default -> List.of("no schema for " + manifest.type());
    };
  }

  /** A Knative Service's revision spec as a Kubernetes PodSpec: without Knative's own fields. */
  private static JsonNode podSpec(JsonNode service) {
    ObjectNode spec = service.at("/spec/template/spec").deepCopy();
    spec.remove(List.of("containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds"));
    return spec;
  }

  private static List<String> typedProblems(JsonNode node, Class<?> type) {
    try {
      STRICT.treeToValue(node, type);
      return List.of();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return List.of(type.getSimpleName() + ": " + e.getOriginalMessage());
    }
  }

  @Test
  void everyManifestIsValidForItsKind() throws IOException {
    List<Manifest> all = manifests();
    assertTrue(all.size() >= 10, "manifests found: " + all.size());
    for (Manifest manifest : all) {
      assertEquals(List.of(), violations(manifest), manifest.file() + ": " + manifest.type() + " " + manifest.name());
    }
  }

  @Test
  void aBrokenManifestIsCaught() throws IOException {
    Manifest service = manifest("serving.knative.dev/v1/Service", "quiver");
    ObjectNode typo = service.node().deepCopy();
    ObjectNode spec = (ObjectNode) typo.at("/spec/template/spec");
    spec.set("containerConcurency", spec.remove("containerConcurrency"));
    assertFalse(violations(new Manifest(service.file(), typo)).isEmpty(), "a misspelt field");
    ObjectNode wrongType = service.node().deepCopy();
    ((ObjectNode) wrongType.at("/spec/template/spec")).put("containerConcurrency", "many");
    assertFalse(violations(new Manifest(service.file(), wrongType)).isEmpty(), "a string for an integer");
    ObjectNode badProbe = service.node().deepCopy();
    ((ObjectNode) badProbe.at("/spec/template/spec/containers/0/readinessProbe")).put("httpGett", "x");
    assertFalse(violations(new Manifest(service.file(), badProbe)).isEmpty(), "a misspelt container field");
  }

  @Test
  void knativeServiceScalesToZeroWithProbesLimitsOnePortAndNoRoot() throws IOException {
    for (String name : List.of("quiver", "quiver-gpu")) {
      JsonNode service = manifest("serving.knative.dev/v1/Service", name).node();
      JsonNode annotations = service.at("/spec/template/metadata/annotations");
      assertEquals("0", annotations.path("autoscaling.knative.dev/min-scale").asText());
      assertFalse(annotations.path("autoscaling.knative.dev/scale-down-delay").asText().isEmpty());
      assertEquals("kpa.autoscaling.knative.dev", annotations.path("autoscaling.knative.dev/class").asText());
      assertEquals("concurrency", annotations.path("autoscaling.knative.dev/metric").asText());
      int target = Integer.parseInt(annotations.path("autoscaling.knative.dev/target").asText());
      long containerConcurrency = service.at("/spec/template/spec/containerConcurrency").asLong();
      assertTrue(target <= containerConcurrency, "the autoscaler's target is within containerConcurrency");

      PodSpec pod = STRICT.treeToValue(podSpec(service), PodSpec.class);
      Container container = pod.getContainers().getFirst();
      Map<String, String> env = env(container);
      assertTrue(containerConcurrency >= Long.parseLong(env.get("QUIVER_MAX_CONCURRENCY")), "room for every model thread");
      assertEquals("false", env.get("QUARKUS_GRPC_SERVER_USE_SEPARATE_SERVER"), "gRPC on the one routed port");
      assertEquals("h2c", container.getPorts().getFirst().getName(), "HTTP/2 cleartext for gRPC");
      assertEquals("/mnt/models", env.get("QUIVER_MODEL_REPOSITORY"));
      assertTrue(env.get("JAVA_OPTS").contains("MaxRAMPercentage"), "the heap sized from the memory limit");
      assertEquals("1", env.get("ORT_DISABLE_TELEMETRY"));
      assertEquals("/v2/health/ready", container.getStartupProbe().getHttpGet().getPath());
      assertEquals("/v2/health/ready", container.getReadinessProbe().getHttpGet().getPath());
      assertEquals("/v2/health/live", container.getLivenessProbe().getHttpGet().getPath());
      assertEquals(container.getResources().getRequests().get("memory"), container.getResources().getLimits().get("memory"));
      assertNotNull(container.getResources().getLimits().get("cpu"));
      assertTrue(container.getSecurityContext().getRunAsNonRoot());
      assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
      assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
      assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/mnt/models") && m.getReadOnly()));
      assertEquals("quiver", pod.getServiceAccountName());
      Quantity gpus = container.getResources().getLimits().get("nvidia.com/gpu");
      assertEquals(name.endsWith("gpu"), gpus != null && gpus.getAmount().equals("1"), "a GPU exactly for the GPU variant");
    }
  }

  @Test
  void canarySplitsTrafficNinetyTenBetweenNamedRevisions() throws IOException {
    Manifest canary = manifests().stream().filter(m -> m.file().endsWith("canary.yaml")).findFirst().orElseThrow();
    assertEquals("quiver", canary.name());
    assertEquals("quiver-v1", manifest("serving.knative.dev/v1/Service", "quiver").node().at("/spec/template/metadata/name").asText());
    assertEquals("quiver-v2", canary.node().at("/spec/template/metadata/name").asText());
    JsonNode traffic = canary.node().at("/spec/traffic");
    assertEquals(2, traffic.size());
    assertEquals("quiver-v1", traffic.at("/0/revisionName").asText());
    assertEquals(90, traffic.at("/0/percent").asInt());
    assertEquals("quiver-v2", traffic.at("/1/revisionName").asText());
    assertEquals(10, traffic.at("/1/percent").asInt());
    assertEquals("canary", traffic.at("/1/tag").asText());
  }

  @Test
  void kserveRuntimeRegistersQuiverForItsFormatsAndProtocols() throws IOException {
    for (String kind : List.of("ClusterServingRuntime", "ServingRuntime")) {
      JsonNode runtime = manifest("serving.kserve.io/v1alpha1/" + kind, "quiver").node();
      List<String> autoSelected = new ArrayList<>();
      runtime.at("/spec/supportedModelFormats").forEach(format -> {
        if (format.path("autoSelect").asBoolean()) {
          autoSelected.add(format.path("name").asText());
        }
      });
      assertTrue(autoSelected.containsAll(List.of("sklearn", "xgboost", "lightgbm", "onnx", "tensorflow", "huggingface")), autoSelected.toString());
      List<String> protocols = new ArrayList<>();
      runtime.at("/spec/protocolVersions").forEach(p -> protocols.add(p.asText()));
      assertEquals(List.of("v1", "v2", "grpc-v2"), protocols);
      Container container = STRICT.treeToValue(runtime.at("/spec/containers/0"), Container.class);
      assertEquals("kserve-container", container.getName());
      Map<String, String> env = env(container);
      assertEquals("/mnt/models", env.get("QUIVER_MODEL_REPOSITORY"), "where KServe's storage initializer puts the model");
      assertEquals("{{.Name}}", env.get("QUIVER_MODEL_NAME"), "the InferenceService's name");
      assertTrue(container.getSecurityContext().getRunAsNonRoot());
    }
    JsonNode isvc = manifest("serving.kserve.io/v1beta1/InferenceService", "sklearn-iris").node();
    assertEquals("sklearn", isvc.at("/spec/predictor/model/modelFormat/name").asText());
  }

  @Test
  void eventingDeliversToQuiverAndKedaScalesItsConsumerOnLag() throws IOException {
    JsonNode source = manifest("sources.knative.dev/v1/KafkaSource", "quiver-inference-requests").node();
    assertEquals("quiver", source.at("/spec/sink/ref/name").asText());
    assertTrue(source.at("/spec/sink/uri").asText().matches("/v2/models/[^/]+/infer"));
    assertEquals("inference-requests", source.at("/spec/topics/0").asText());

    Deployment consumer = STRICT.treeToValue(manifest("apps/v1/Deployment", "quiver-kafka").node(), Deployment.class);
    Map<String, String> env = env(consumer.getSpec().getTemplate().getSpec().getContainers().getFirst());
    assertEquals("true", env.get("QUIVER_KAFKA_ENABLED"));
    JsonNode scaled = manifest("keda.sh/v1alpha1/ScaledObject", "quiver-kafka").node();
    assertEquals(consumer.getMetadata().getName(), scaled.at("/spec/scaleTargetRef/name").asText());
    assertEquals(0, scaled.at("/spec/minReplicaCount").asInt());
    JsonNode trigger = scaled.at("/spec/triggers/0");
    assertEquals("kafka", trigger.path("type").asText());
    assertEquals(env.get("QUIVER_KAFKA_GROUP"), trigger.at("/metadata/consumerGroup").asText());
    assertEquals(env.get("KAFKA_BOOTSTRAP_SERVERS"), trigger.at("/metadata/bootstrapServers").asText());
    assertEquals("inference-requests", trigger.at("/metadata/topic").asText());
  }

  @Test
  void networkPoliciesFenceThePodsAndTheServiceAccountHasNoRights() throws IOException {
    NetworkPolicy ingress = STRICT.treeToValue(manifest("networking.k8s.io/v1/NetworkPolicy", "quiver-ingress").node(), NetworkPolicy.class);
    assertEquals(List.of("Ingress"), ingress.getSpec().getPolicyTypes());
    assertEquals("quiver", ingress.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
    NetworkPolicy egress = STRICT.treeToValue(manifest("networking.k8s.io/v1/NetworkPolicy", "quiver-egress").node(), NetworkPolicy.class);
    assertEquals(List.of("Egress"), egress.getSpec().getPolicyTypes());
    List<Integer> ports = new ArrayList<>();
    egress.getSpec().getEgress().forEach(rule -> rule.getPorts().forEach(port -> ports.add(port.getPort().getIntVal())));
    assertTrue(ports.containsAll(List.of(53, 9092, 4317)), "DNS, the broker and the collector: " + ports);

    ServiceAccount account = STRICT.treeToValue(manifest("v1/ServiceAccount", "quiver").node(), ServiceAccount.class);
    assertFalse(account.getAutomountServiceAccountToken());
    for (Manifest manifest : manifests()) {
      if (manifest.node().path("kind").asText().matches("Role|ClusterRole|RoleBinding|ClusterRoleBinding")) {
        fail("Quiver needs no API rights, but " + manifest.file() + " grants some");
      }
    }
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }
}
