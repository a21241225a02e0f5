package io.quiver.storage;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for the s3:// tests: Adobe's S3Mock, in a process of its own (its
 * class path resolved by Maven from src/test/s3mock/pom.xml, once), with bucket "models" holding
 * the example iris model under "iris/", and a neighbour "iris-old/" that shares its prefix's letters.
 */
public class S3MockServer implements QuarkusTestResourceLifecycleManager {
  static final String ACCESS_KEY = "quiver-test";
  static final String SECRET_KEY = "quiver-test-secret";
  private static final Path CLASS_PATH = Path.of("target/s3mock/classpath.txt");

  private Process server;

  @Override
  public Map<String, String> start() {
    try {
      int port = freePort();
      Path store = Files.createTempDirectory("quiver-s3mock");
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", classPath(),
              "com.adobe.testing.s3mock.S3MockApplication",
              "--http.port=" + port,
              "--server.port=0",
              "--com.adobe.testing.s3mock.store.root=" + store,
              "--com.adobe.testing.s3mock.store.initial-buckets=models");
      server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(store.resolveSibling(store.getFileName() + ".log").toFile()).start();
      String endpoint = "http://localhost:" + port;
      awaitListening(endpoint);
      byte[] onnx = Files.readAllBytes(Path.of("examples/models/iris-onnx/model.onnx"));
      try (S3Client client = client(endpoint)) {
        client.putObject(put -> put.bucket("models").key("iris/model.onnx"), RequestBody.fromBytes(onnx));
        client.putObject(put -> put.bucket("models").key("iris-old/model.onnx"), RequestBody.fromBytes("not a model".getBytes(StandardCharsets.UTF_8)));
      }
      // the AWS SDK's default credentials chain reads these, as it reads AWS_ACCESS_KEY_ID in production
      System.setProperty("aws.accessKeyId", ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", SECRET_KEY);
      return Map.of(
          "quiver.storage.s3-endpoint", endpoint,
          "quiver.storage.s3-path-style", "true",
          "quiver.storage.cache-dir", Files.createTempDirectory("quiver-s3-cache").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static S3Client client(String endpoint) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(endpoint))
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** S3Mock's class path, resolved by Maven the first time. */
  private static String classPath() throws IOException, InterruptedException {
    if (!Files.isRegularFile(CLASS_PATH)) {
      Files.createDirectories(CLASS_PATH.getParent());
      ProcessBuilder maven =
          new ProcessBuilder(
                  "./mvnw", "-B", "-q", "-f", "src/test/s3mock/pom.xml", "dependency:build-classpath",
                  "-Dmdep.outputFile=" + CLASS_PATH.toAbsolutePath())
              .redirectErrorStream(true);
      maven.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process process = maven.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.isRegularFile(CLASS_PATH)) {
        throw new IllegalStateException("cannot resolve S3Mock's class path: " + output);
      }
    }
    return Files.readString(CLASS_PATH).trim();
  }

  private void awaitListening(String endpoint) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("S3Mock exited with " + server.exitValue());
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
        connection.setConnectTimeout(500);
        if (connection.getResponseCode() > 0) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IOException("S3Mock did not listen on " + endpoint + " within 90 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void stop() {
    if (server != null) {
      server.destroy();
    }
  }
}
