package io.quiver.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Mutual TLS with authentication on: the server of TlsProfile also trusts one client certificate
 * (made here by keytool), whose subject is listed as a caller with its scopes.
 */
public class MutualTlsProfile implements QuarkusTestProfile {
  static final String SUBJECT = "CN=team-a,O=Acme";
  static final Path CLIENT_KEY_STORE = TlsProfile.FOLDER.resolve("client.p12");

  @Override
  public Map<String, String> getConfigOverrides() {
    try {
      Path clientCertificate = TlsProfile.FOLDER.resolve("client.crt");
      Path serverTrust = TlsProfile.FOLDER.resolve("server-trust.p12");
      if (!Files.exists(CLIENT_KEY_STORE)) {
        TlsProfile.keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=team-a, O=Acme",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", CLIENT_KEY_STORE.toString(), "-storepass", TlsProfile.PASSWORD);
        TlsProfile.keytool("-exportcert", "-alias", "client", "-keystore", CLIENT_KEY_STORE.toString(), "-storepass", TlsProfile.PASSWORD,
            "-rfc", "-file", clientCertificate.toString());
        TlsProfile.keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientCertificate.toString(), "-storetype", "PKCS12",
            "-keystore", serverTrust.toString(), "-storepass", TlsProfile.PASSWORD);
      }
      Path callers = Files.writeString(TlsProfile.FOLDER.resolve("client-certificates"), SUBJECT + " | models:iris-onnx:infer\n");
      Map<String, String> overrides = new java.util.HashMap<>(new TlsProfile().getConfigOverrides());
      overrides.put("quarkus.http.ssl.certificate.trust-store-file", serverTrust.toString());
      overrides.put("quarkus.http.ssl.certificate.trust-store-password", TlsProfile.PASSWORD);
      overrides.put("quarkus.http.ssl.client-auth", "request");
      overrides.put("quarkus.grpc.server.ssl.trust-store", serverTrust.toString());
      overrides.put("quarkus.grpc.server.ssl.trust-store-password", TlsProfile.PASSWORD);
      overrides.put("quarkus.grpc.server.ssl.trust-store-type", "pkcs12");
      overrides.put("quarkus.grpc.server.ssl.client-auth", "REQUEST");
      overrides.put("quiver.auth.enabled", "true");
      overrides.put("quiver.auth.client-certificates-file", callers.toString());
      return overrides;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
