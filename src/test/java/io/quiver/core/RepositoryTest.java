package io.quiver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.RepositoryModelLoadRequest;
import io.quiver.protocol.grpc.api.RepositoryModelUnloadRequest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import io.quiver.support.TrackingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The repository extension: index, load (new and changed models), unload, and path safety. */
@QuarkusTest
class RepositoryTest {
  private static final String TRACKED_REQUEST =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[4,5]}]}";

  /** Each call gets its own thread: they block, and the common pool may have only one. */
  private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void indexListsEveryModelAndVersionWithItsState() {
    JsonNode index = Rest.post("/v2/repository/index", "{}").json();
    assertEquals("{\"name\":\"iris-onnx\",\"state\":\"READY\",\"reason\":\"\"}", row(index, "iris-onnx", null).toString());
    for (String version : new String[] {"1", "2", "3"}) {
      assertEquals("READY", row(index, "xgb-formats", version).get("state").asText());
    }
    JsonNode failed = row(index, "corrupt-onnx", null);
    assertEquals("FAILED", failed.get("state").asText());
    assertTrue(failed.get("reason").asText().contains("Protobuf parsing failed"), failed.toString());
    JsonNode readyOnly = Rest.post("/v2/repository/index", "{\"ready\": true}").json();
    readyOnly.forEach(entry -> assertEquals("READY", entry.get("state").asText(), entry.toString()));
    assertTrue(readyOnly.size() < index.size());
  }

  @Test
  void loadPicksUpANewModelAndUnloadStopsIt() throws Exception {
    Path folder = TestRepository.root().resolve("fresh-iris");
    TestRepository.copyTree(TestRepository.root().resolve("iris-xgboost"), folder);
    assertEquals("UNAVAILABLE", row(Rest.post("/v2/repository/index", "").json(), "fresh-iris", null).get("state").asText());
    assertEquals(404, Rest.get("/v2/models/fresh-iris").status());

    Reply load = Rest.post("/v2/repository/models/fresh-iris/load", "");
    assertEquals("{\"name\":\"fresh-iris\",\"load\":true}", load.text());
    Expected expected = Expected.of("iris-xgboost");
    Reply infer = Rest.post("/v2/models/fresh-iris/infer", expected.request());
    assertEquals(200, infer.status(), infer.text());

    Reply unload = Rest.post("/v2/repository/models/fresh-iris/unload", "");
    assertEquals("{\"name\":\"fresh-iris\",\"unload\":true}", unload.text());
    // An unloaded model will not come back by itself: 404, as KServe and Triton answer, not a 503 to retry.
    Reply gone = Rest.post("/v2/models/fresh-iris/infer", expected.request());
    assertEquals(404, gone.status(), gone.text());
    assertEquals("Model with name fresh-iris is unloaded; load it again through the repository API.", gone.error());
    assertEquals(404, Rest.get("/v2/models/fresh-iris/ready").status());
    assertEquals(404, Rest.get("/v2/models/fresh-iris").status());
    assertEquals(404, Rest.get("/v1/models/fresh-iris").status());
    assertEquals(404, Rest.post("/v1/models/fresh-iris:predict", "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}").status());
    StatusRuntimeException grpcGone =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> grpc.modelReady(io.quiver.protocol.grpc.api.ModelReadyRequest.newBuilder().setName("fresh-iris").build()));
    assertEquals(Status.Code.NOT_FOUND, grpcGone.getStatus().getCode());
    assertEquals("UNAVAILABLE", row(Rest.post("/v2/repository/index", "").json(), "fresh-iris", null).get("state").asText());
    assertEquals("unloaded", row(Rest.post("/v2/repository/index", "").json(), "fresh-iris", null).get("reason").asText());
    assertFalse(Rest.get("/v2/models").json().get("models").toString().contains("fresh-iris"));

    assertEquals(200, Rest.post("/v2/repository/models/fresh-iris/load", "").status());
    assertEquals(200, Rest.post("/v2/models/fresh-iris/infer", expected.request()).status());
  }

  @Test
  void reloadPicksUpChangedFilesAndKeepsServingWhenTheNewOnesAreBroken() throws Exception {
    Path folder = TestRepository.root().resolve("changing");
    TestRepository.copyTree(TestRepository.root().resolve("xgb-binary"), folder);
    assertEquals(200, Rest.post("/v2/repository/models/changing/load", "").status());
    assertEquals("[-1]", Rest.get("/v2/models/changing").json().at("/outputs/0/shape").toString());

    Files.delete(folder.resolve("model.ubj"));
    Files.copy(TestRepository.root().resolve("iris-xgboost/model.json"), folder.resolve("model.json"));
    assertEquals(200, Rest.post("/v2/repository/models/changing/load", "").status());
    assertEquals("[-1,3]", Rest.get("/v2/models/changing").json().at("/outputs/0/shape").toString());

    Files.writeString(folder.resolve("model.json"), "{\"learner\": broken");
    Reply failed = Rest.post("/v2/repository/models/changing/load", "");
    assertEquals(500, failed.status());
    assertTrue(failed.error().startsWith("Failed to load model changing:"), failed.error());
    Reply stillServing = Rest.post("/v2/models/changing/infer", Expected.of("iris-xgboost").request());
    assertEquals(200, stillServing.status(), stillServing.text());

    TestRepository.deleteTree(folder);
    assertEquals(404, Rest.post("/v2/repository/models/changing/load", "").status());
    assertEquals(404, Rest.get("/v2/models/changing").status());
  }

  @Test
  void unloadWaitsForInFlightRequestsThenFreesTheModel() throws Exception {
    TrackingRuntime.serve("tracked");
    assertEquals(1, TrackingRuntime.loads("tracked"));

    TrackingRuntime.gate = new CountDownLatch(1);
    int entered = TrackingRuntime.ENTERED.get();
    CompletableFuture<Reply> inFlight =
        CompletableFuture.supplyAsync(() -> Rest.post("/v2/models/tracked/infer", TRACKED_REQUEST), THREADS);
    while (TrackingRuntime.ENTERED.get() == entered) {
      Thread.sleep(5);
    }
    CompletableFuture<Reply> unload =
        CompletableFuture.supplyAsync(() -> Rest.post("/v2/repository/models/tracked/unload", ""), THREADS);
    Thread.sleep(200);
    assertFalse(unload.isDone(), "unload must wait for the request in flight");
    assertEquals(0, TrackingRuntime.closes("tracked"));
    assertEquals(404, Rest.post("/v2/models/tracked/infer", TRACKED_REQUEST).status(), "no new requests while unloading");

    TrackingRuntime.gate.countDown();
    TrackingRuntime.gate = null;
    Reply answered = inFlight.get(10, TimeUnit.SECONDS);
    assertEquals(200, answered.status(), answered.text());
    assertEquals("[4,5]", answered.json().at("/outputs/0/data").toString());
    assertEquals(200, unload.get(10, TimeUnit.SECONDS).status());
    assertEquals(1, TrackingRuntime.closes("tracked"));

    // A reload closes the instance it replaces, once the new one is in.
    assertEquals(200, Rest.post("/v2/repository/models/tracked/load", "").status());
    assertEquals(200, Rest.post("/v2/repository/models/tracked/load", "").status());
    assertEquals(3, TrackingRuntime.loads("tracked"));
    assertEquals(2, TrackingRuntime.closes("tracked"));
  }

  @Test
  void namesThatCouldLeaveTheRepositoryAreRefused() throws Exception {
    // A literal ".." segment is resolved away before routing, leaving a path nothing serves.
    Reply dotDot = Rest.post("/v2/repository/models/../load", "");
    assertEquals(404, dotDot.status(), dotDot.text());
    assertEquals("application/json", dotDot.header("content-type").orElseThrow());
    for (String name : new String[] {"..%2F..%2Fetc", "%2Fetc%2Fpasswd", ".hidden", "a%5Cb"}) {
      Reply reply = Rest.post("/v2/repository/models/" + name + "/load", "");
      assertEquals(400, reply.status(), name + ": " + reply.text());
      assertTrue(reply.error().startsWith("Invalid model name"), reply.error());
    }
    StatusRuntimeException grpcError =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> grpc.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("../x").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, grpcError.getStatus().getCode());
    assertEquals(404, Rest.get("/v2/models/%2Fetc%2Fpasswd").status());
  }

  @Test
  void linksOutOfTheRepositoryAreRefused() throws Exception {
    Path outside = Files.createTempDirectory("outside-repository");
    try {
      TestRepository.copyTree(TestRepository.root().resolve("iris-onnx"), outside);
      Files.createSymbolicLink(TestRepository.root().resolve("escape"), outside);
      Reply folderLink = Rest.post("/v2/repository/models/escape/load", "");
      assertEquals(400, folderLink.status(), folderLink.text());
      assertTrue(folderLink.error().contains("links outside the model repository"), folderLink.error());
      JsonNode escaped = row(Rest.post("/v2/repository/index", "").json(), "escape", null);
      assertEquals("FAILED", escaped.get("state").asText());
      assertTrue(escaped.get("reason").asText().contains("links outside the model repository"), escaped.toString());

      Path inside = TestRepository.root().resolve("file-link");
      Files.createDirectories(inside);
      Files.createSymbolicLink(inside.resolve("model.onnx"), outside.resolve("model.onnx"));
      Reply fileLink = Rest.post("/v2/repository/models/file-link/load", "");
      assertEquals(500, fileLink.status(), fileLink.text());
      assertTrue(fileLink.error().contains("model.onnx links outside the model folder"), fileLink.error());
      assertEquals(503, Rest.post("/v2/models/file-link/infer", Expected.of("iris-onnx").request()).status());
    } finally {
      Files.deleteIfExists(TestRepository.root().resolve("escape"));
      TestRepository.deleteTree(TestRepository.root().resolve("file-link"));
      TestRepository.deleteTree(outside);
    }
  }

  @Test
  void hostileModelFilesFailTheirOwnLoadWithTheReason() throws Exception {
    Map<String, String> reasons =
        Map.of(
            "nested", "nests objects more than 1000 levels deep",
            "self-pipeline", "the model contains itself",
            "hash-bomb", "a set as a dictionary key",
            "huge-bytes", "more than a model may hold",
            "huge-string", "declares 2147483584 bytes of data but ends after",
            "huge-shape", "larger than any array it can hold",
            "inst-system", "os.system",
            "huge-pmml-array", "The length of array must be 2000000000, got 3",
            "nul-in-pmml", "model.pmml is not well-formed XML (line 5");
    for (Map.Entry<String, String> hostile : reasons.entrySet()) {
      String model = "hostile-" + hostile.getKey();
      TestRepository.copyTree(Path.of("src/test/resources/hostile", hostile.getKey()), TestRepository.root().resolve(model));
      Reply load = Rest.post("/v2/repository/models/" + model + "/load", "");
      assertEquals(500, load.status(), load.text());
      assertTrue(load.error().contains(hostile.getValue()), load.error());
      JsonNode row = row(Rest.post("/v2/repository/index", "").json(), model, null);
      assertEquals("FAILED", row.get("state").asText());
      assertTrue(row.get("reason").asText().contains(hostile.getValue()), row.toString());
    }
    assertEquals(200, Rest.post("/v2/models/iris-onnx/infer", Expected.of("iris-onnx").request()).status());
  }

  @Test
  void loadFailuresTellTheLibrarysFirstLineWithoutInternals() {
    String onnx = Rest.get("/v2/models/corrupt-onnx/ready").json().get("reason").asText();
    assertFalse(onnx.contains(TestRepository.root().toString()), onnx);
    assertTrue(onnx.contains("Protobuf parsing failed"), onnx);
    String xgboost = Rest.get("/v2/models/corrupt-xgboost/ready").json().get("reason").asText();
    assertFalse(xgboost.contains("Stack trace"), xgboost);
    assertFalse(xgboost.contains("\n"), xgboost);
    assertFalse(xgboost.contains("/tmp/"), xgboost);
    assertTrue(xgboost.contains("Expecting: \",\", got: \"EOF\""), xgboost);
  }

  @Test
  void grpcRepositoryCalls() throws Exception {
    TestRepository.copyTree(TestRepository.root().resolve("mixed-types"), TestRepository.root().resolve("grpc-loaded"));
    var loaded = grpc.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("grpc-loaded").build());
    assertTrue(loaded.getIsLoaded());
    assertEquals("grpc-loaded", loaded.getModelName());
    assertTrue(Rest.get("/v2/models/grpc-loaded/ready").json().get("ready").asBoolean());
    var unloaded = grpc.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("grpc-loaded").build());
    assertTrue(unloaded.getIsUnloaded());
    assertEquals(404, Rest.get("/v2/models/grpc-loaded/ready").status());
    StatusRuntimeException missing =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> grpc.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("nosuch").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
  }

  private static JsonNode row(JsonNode index, String name, String version) {
    for (JsonNode entry : index) {
      if (entry.get("name").asText().equals(name)
          && (version == null ? !entry.has("version") : version.equals(entry.path("version").asText()))) {
        return entry;
      }
    }
    throw new AssertionError("no index row for " + name + " " + version + " in " + index);
  }
}
