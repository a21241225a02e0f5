package io.quiver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.ModelReadyRequest;
import io.quiver.protocol.grpc.api.ServerLiveRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Authentication on: every allow and deny on REST and gRPC, with tokens minted here by SmallRye
 * JWT's builder (RS256 and ES256, expired, from another issuer, signed by an untrusted key, or
 * unsigned), an API key, and the routes that stay open.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class AuthTest {
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String XGB = "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}";

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  private static String token(String scope) {
    return Jwt.issuer(AuthProfile.ISSUER).subject("alice").claim("scope", scope).expiresIn(300).jws().keyId("rsa").sign(AuthProfile.RSA.getPrivate());
  }

  private static Reply post(String path, String body, String... headers) {
    return Rest.post(path, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  @Test
  void openRoutesNeedNoCredentialAndEveryOtherDoes() {
    assertEquals(200, Rest.get("/v2/health/ready").status());
    assertEquals(200, Rest.get("/v2/health/live").status());
    assertEquals(200, Rest.get("/metrics").status());
    Reply refused = post("/v2/models/iris-onnx/infer", IRIS);
    assertEquals(401, refused.status());
    assertEquals("Bearer", refused.header("WWW-Authenticate").orElse(""));
    assertTrue(refused.error().contains("credential is required"), refused.text());
    assertEquals(401, Rest.get("/v2/models/iris-onnx").status());
    assertEquals(401, Rest.get("/v1/models").status());
    assertEquals(401, Rest.get("/no/such/route").status(), "unknown routes are closed too");
  }

  @Test
  void aTokenGrantsItsModelsAndNothingElse() {
    String bearer = "Bearer " + token("models:iris-onnx:infer");
    assertEquals(200, post("/v2/models/iris-onnx/infer", IRIS, "Authorization", bearer).status());
    Reply other = post("/v1/models/iris-xgboost:predict", XGB, "Authorization", bearer);
    assertEquals(403, other.status());
    assertTrue(other.error().contains("models:iris-xgboost:infer"), other.text());
    Reply load = post("/v2/repository/models/iris-onnx/load", "", "Authorization", bearer);
    assertEquals(403, load.status());
    assertTrue(load.error().contains("models:iris-onnx:admin"), load.text());

    String admin =
        "Bearer "
            + Jwt.issuer(AuthProfile.ISSUER).subject("root").claim("scope", "models:*:admin").expiresIn(300)
                .jws().algorithm(SignatureAlgorithm.ES256).keyId("ec").sign(AuthProfile.EC.getPrivate());
    assertEquals(200, post("/v2/repository/models/iris-onnx/load", "", "Authorization", admin).status(), "ES256, admin on every model");
    assertEquals(200, post("/v1/models/iris-xgboost:predict", XGB, "Authorization", admin).status());
  }

  @Test
  void listsShowOnlyTheCallersModels() {
    String bearer = "Bearer " + token("models:iris-onnx:infer");
    String v1 = Rest.get("/v1/models", "Authorization", bearer).text();
    assertTrue(v1.contains("\"iris-onnx\"") && !v1.contains("iris-xgboost"), v1);
    String v2 = Rest.get("/v2/models", "Authorization", bearer).text();
    assertTrue(v2.contains("\"iris-onnx\"") && !v2.contains("iris-xgboost"), v2);
    assertEquals("[]", post("/v2/repository/index", "", "Authorization", bearer).text(), "the index lists what the caller may administer");
    String admin = "Bearer " + token("models:iris-xgboost:admin");
    String index = post("/v2/repository/index", "", "Authorization", admin).text();
    assertTrue(index.contains("iris-xgboost") && !index.contains("iris-onnx"), index);
  }

  @Test
  void badTokensAreRefused() {
    Instant past = Instant.now().minusSeconds(3600);
    String expired = Jwt.issuer(AuthProfile.ISSUER).subject("alice").claim("scope", "models:*:infer").issuedAt(past).expiresAt(past.plusSeconds(60))
        .jws().keyId("rsa").sign(AuthProfile.RSA.getPrivate());
    String otherIssuer = Jwt.issuer("https://elsewhere.test").subject("alice").claim("scope", "models:*:infer").expiresIn(300)
        .jws().keyId("rsa").sign(AuthProfile.RSA.getPrivate());
    String untrustedKey = Jwt.issuer(AuthProfile.ISSUER).subject("alice").claim("scope", "models:*:infer").expiresIn(300)
        .jws().keyId("rsa").sign(AuthProfile.IMPOSTOR.getPrivate());
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String unsigned =
        url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
            + url.encodeToString(("{\"iss\":\"" + AuthProfile.ISSUER + "\",\"sub\":\"alice\",\"scope\":\"models:*:infer\",\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + "}").getBytes(StandardCharsets.UTF_8)) + ".";
    for (String bad : new String[] {expired, otherIssuer, untrustedKey, unsigned, "not-a-token"}) {
      Reply reply = post("/v2/models/iris-onnx/infer", IRIS, "Authorization", "Bearer " + bad);
      assertEquals(401, reply.status(), reply.text());
      assertTrue(!reply.text().contains(bad.length() > 20 ? bad.substring(0, 20) : "\u0000"), "the token is not echoed");
    }
    String metrics = Rest.get("/metrics").text();
    assertTrue(metrics.contains("quiver_auth_failures_total{reason=\"invalid\"}"), "failures are counted by reason");
  }

  @Test
  void thePayloadLogNamesTheCallerNeverTheCredential() throws Exception {
    String token = token("models:iris-onnx:infer");
    String id = "auth-logged-" + System.nanoTime();
    assertEquals(200, post("/v2/models/iris-onnx/infer", IRIS, "Authorization", "Bearer " + token, "ce-id", id).status());
    long deadline = System.nanoTime() + 10_000_000_000L;
    java.util.List<io.quiver.support.HttpCapture.Posted> records = java.util.List.of();
    while (records.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      records = AuthProfile.LOG_SINK.posted().stream().filter(p -> id.equals(p.headers().get("ce-id"))).toList();
    }
    assertEquals(2, records.size(), "the request and its answer");
    for (io.quiver.support.HttpCapture.Posted record : records) {
      assertEquals("alice", record.headers().get("ce-quivercaller"));
      assertTrue(record.headers().values().stream().noneMatch(value -> value.contains(token)), "no header carries the token");
    }
  }

  @Test
  void anApiKeyWorksInEitherHeader() {
    assertEquals(200, post("/v1/models/iris-xgboost:predict", XGB, "X-API-Key", AuthProfile.API_KEY).status());
    assertEquals(200, post("/v1/models/iris-xgboost:predict", XGB, "Authorization", "Bearer " + AuthProfile.API_KEY).status());
    assertEquals(403, post("/v2/models/iris-onnx/infer", IRIS, "X-API-Key", AuthProfile.API_KEY).status());
    assertEquals(401, post("/v1/models/iris-xgboost:predict", XGB, "X-API-Key", "quiver-test-api-key-2").status());
  }

  @Test
  void openAiRoutesCheckTheModelInTheBodyAndAnswerInOpenAisShape() {
    Reply unauthenticated = post("/openai/v1/embeddings", "{\"model\": \"iris-onnx\", \"input\": \"x\"}");
    assertEquals(401, unauthenticated.status());
    assertEquals("invalid_api_key", unauthenticated.json().at("/error/code").asText());
    Reply forbidden = post("/openai/v1/embeddings", "{\"model\": \"iris-xgboost\", \"input\": \"x\"}", "Authorization", "Bearer " + token("models:iris-onnx:infer"));
    assertEquals(403, forbidden.status());
    assertTrue(forbidden.json().at("/error/message").asText().contains("models:iris-xgboost:infer"), forbidden.text());
    // allowed: the route itself then answers (iris-onnx makes no embeddings)
    Reply allowed = post("/openai/v1/embeddings", "{\"model\": \"iris-onnx\", \"input\": \"x\"}", "Authorization", "Bearer " + token("models:iris-onnx:infer"));
    assertEquals(400, allowed.status(), allowed.text());
    assertEquals("model", allowed.json().at("/error/param").asText());
  }

  @Test
  void grpcChecksTheMetadataAndTheModel() {
    assertTrue(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive(), "ServerLive stays open");
    StatusRuntimeException missing =
        assertThrows(StatusRuntimeException.class, () -> grpc.modelReady(ModelReadyRequest.newBuilder().setName("iris-onnx").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token("models:iris-onnx:infer"));
    GRPCInferenceServiceBlockingStub alice = grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    assertTrue(alice.modelReady(ModelReadyRequest.newBuilder().setName("iris-onnx").build()).getReady());
    StatusRuntimeException denied =
        assertThrows(StatusRuntimeException.class, () -> alice.modelReady(ModelReadyRequest.newBuilder().setName("iris-xgboost").build()));
    assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
    assertTrue(denied.getStatus().getDescription().contains("models:iris-xgboost:infer"));

    Metadata key = new Metadata();
    key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), AuthProfile.API_KEY);
    assertTrue(grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key)).modelReady(ModelReadyRequest.newBuilder().setName("iris-xgboost").build()).getReady());
    Metadata forged = new Metadata();
    forged.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token("models:*:admin") + "x");
    StatusRuntimeException tampered =
        assertThrows(StatusRuntimeException.class,
            () -> grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forged)).modelReady(ModelReadyRequest.newBuilder().setName("iris-onnx").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, tampered.getStatus().getCode());
  }
}
