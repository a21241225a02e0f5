package io.quiver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** HTTPS and gRPC over TLS through Quarkus' standard settings, with a certificate made by the test. */
@QuarkusTest
@TestProfile(TlsProfile.class)
class TlsTest {
  private static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  @Test
  void inferenceOverTlsWithTheServersCertificateAndNoneWithout() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    URI infer = URI.create("https://localhost:" + port + "/v2/models/iris-onnx/infer");
    HttpRequest request = HttpRequest.newBuilder(infer).POST(HttpRequest.BodyPublishers.ofString(IRIS)).build();

    HttpClient trusting = HttpClient.newBuilder().sslContext(trusting()).build();
    HttpResponse<String> answer = trusting.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("\"model_name\":\"iris-onnx\""), answer.body());

    HttpClient untrusting = HttpClient.newHttpClient();
    assertThrows(SSLHandshakeException.class, () -> untrusting.send(request, HttpResponse.BodyHandlers.ofString()), "an unknown certificate is refused");
  }

  @Test
  void grpcOverTlsOnItsOwnServer() throws Exception {
    int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    io.grpc.ManagedChannel secure =
        io.grpc.netty.NettyChannelBuilder.forAddress("localhost", port)
            .sslContext(io.grpc.netty.GrpcSslContexts.forClient().trustManager(TlsProfile.CERTIFICATE.toFile()).build())
            .build();
    io.grpc.ManagedChannel plain = io.grpc.ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      var request = io.quiver.protocol.grpc.api.ServerLiveRequest.getDefaultInstance();
      assertTrue(io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.newBlockingStub(secure).serverLive(request).getLive());
      assertThrows(
          io.grpc.StatusRuntimeException.class,
          () -> io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.newBlockingStub(plain).withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS).serverLive(request),
          "plain text is refused");
    } finally {
      secure.shutdownNow();
      plain.shutdownNow();
    }
  }

  private static SSLContext trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(TlsProfile.TRUST_STORE)) {
      trust.load(in, TlsProfile.PASSWORD.toCharArray());
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
