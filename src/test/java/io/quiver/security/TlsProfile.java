package io.quiver.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS only, and gRPC over TLS on its own server, with a certificate the JDK's keytool makes
 * here: a server key pair for localhost in a PKCS12 key store, its certificate as PEM, and alone
 * in a trust store for the test's clients.
 */
public class TlsProfile implements QuarkusTestProfile {
  static final String PASSWORD = "quiver-test";
  static final Path FOLDER = folder();
  static final Path KEY_STORE = FOLDER.resolve("server.p12");
  static final Path TRUST_STORE = FOLDER.resolve("trust.p12");
  static final Path CERTIFICATE = FOLDER.resolve("server.crt");

  private static Path folder() {
    try {
      Path folder = Files.createTempDirectory("quiver-tls");
      Path certificate = folder.resolve("server.crt");
      keytool("-genkeypair", "-alias", "quiver", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
          "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
          "-keystore", folder.resolve("server.p12").toString(), "-storepass", PASSWORD);
      keytool("-exportcert", "-alias", "quiver", "-keystore", folder.resolve("server.p12").toString(), "-storepass", PASSWORD,
          "-rfc", "-file", certificate.toString());
      keytool("-importcert", "-noprompt", "-alias", "quiver", "-file", certificate.toString(), "-storetype", "PKCS12",
          "-keystore", folder.resolve("trust.p12").toString(), "-storepass", PASSWORD);
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void keytool(String... arguments) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", arguments) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "quarkus.http.ssl.certificate.key-store-file", KEY_STORE.toString(),
        "quarkus.http.ssl.certificate.key-store-password", PASSWORD,
        "quarkus.http.test-ssl-port", "0",
        "quarkus.http.insecure-requests", "disabled",
        "quarkus.grpc.server.plain-text", "false",
        "quarkus.grpc.server.ssl.key-store", KEY_STORE.toString(),
        "quarkus.grpc.server.ssl.key-store-password", PASSWORD,
        "quarkus.grpc.server.ssl.key-store-type", "PKCS12");
  }
}
