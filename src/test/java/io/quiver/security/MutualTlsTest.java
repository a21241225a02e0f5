package io.quiver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Mutual TLS: a listed client certificate is the caller, with its scopes; without one, a credential is needed. */
@QuarkusTest
@TestProfile(MutualTlsProfile.class)
class MutualTlsTest {
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";
  private static final String XGB = "{\"instances\": [[6.8, 2.8, 4.8, 1.4]]}";

  @Test
  void theClientCertificatesSubjectIsTheCaller() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    HttpClient withCertificate = HttpClient.newBuilder().sslContext(context(MutualTlsProfile.CLIENT_KEY_STORE)).build();
    HttpClient withoutCertificate = HttpClient.newBuilder().sslContext(context(null)).build();
    assertEquals(200, post(withCertificate, port, "/v2/models/iris-onnx/infer", IRIS).statusCode());
    HttpResponse<String> other = post(withCertificate, port, "/v1/models/iris-xgboost:predict", XGB);
    assertEquals(403, other.statusCode(), other.body());
    assertEquals(401, post(withoutCertificate, port, "/v2/models/iris-onnx/infer", IRIS).statusCode());
  }

  @Test
  void grpcTakesTheClientCertificateToo() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(MutualTlsProfile.CLIENT_KEY_STORE), TlsProfile.PASSWORD.toCharArray());
    io.grpc.ManagedChannel channel =
        io.grpc.netty.NettyChannelBuilder.forAddress("localhost", port)
            .sslContext(io.grpc.netty.GrpcSslContexts.forClient().trustManager(TlsProfile.CERTIFICATE.toFile()).keyManager(keys).build())
            .build();
    try {
      var team = io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.newBlockingStub(channel);
      var ready = io.quiver.protocol.grpc.api.ModelReadyRequest.newBuilder();
      org.junit.jupiter.api.Assertions.assertTrue(team.modelReady(ready.setName("iris-onnx").build()).getReady());
      io.grpc.StatusRuntimeException denied =
          org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, () -> team.modelReady(ready.setName("iris-xgboost").build()));
      assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
    } finally {
      channel.shutdownNow();
    }
  }

  private static HttpResponse<String> post(HttpClient client, int port, String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext context(Path clientKeyStore) throws Exception {
    KeyStore trust = load(TlsProfile.TRUST_STORE);
    TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trusting.init(trust);
    KeyManagerFactory keys = null;
    if (clientKeyStore != null) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(clientKeyStore), TlsProfile.PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trusting.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, TlsProfile.PASSWORD.toCharArray());
    }
    return store;
  }
}
