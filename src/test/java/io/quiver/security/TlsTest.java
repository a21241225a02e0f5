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

/** HTTPS through Quarkus' standard settings, with a certificate made by the test: inference over TLS, refused without trusting it. */
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
