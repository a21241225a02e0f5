package io.quiver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Real HTTP servers for the storage tests, on one port: plain files and archives, Cloud Storage's
 * JSON API (list and media, with MD5s; bucket "private" only with a token from the OAuth token
 * endpoint, which takes JWTs signed by the service account's key as Google's does), and the
 * Hugging Face Hub's model API, serving the repository's own model files. Each request is counted
 * by path.
 */
public class StorageServers implements QuarkusTestResourceLifecycleManager {
  static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
  static String base;
  static Path cache;

  private HttpServer server;
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  /** Cloud Storage objects of bucket "models": name to content, and the MD5 the store claims. */
  private final Map<String, byte[]> objects = new LinkedHashMap<>();
  private final Map<String, String> claimedMd5 = new LinkedHashMap<>();
  private final Map<String, byte[]> hub = new LinkedHashMap<>();
  static final String SERVICE_ACCOUNT = "quiver-models@quiver-tests.iam.gserviceaccount.com";
  /** The service account's key, as its key file holds it; the token endpoint knows its public half. */
  static KeyPair serviceAccountKey;
  private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();

  @Override
  public Map<String, String> start() {
    try {
      byte[] onnx = Files.readAllBytes(Path.of("examples/models/iris-onnx/model.onnx"));
      byte[] booster = Files.readAllBytes(Path.of("examples/models/iris-xgboost/model.json"));
      files.put("/files/model.json", booster);
      files.put("/archives/iris.tar.gz", tarGz("model.onnx", onnx));
      files.put("/archives/iris.zip", zip("model.onnx", onnx));
      files.put("/archives/escape.zip", zip("../outside.onnx", onnx));
      objects.put("iris/1/model.onnx", onnx);
      claimedMd5.put("iris/1/model.onnx", md5(onnx));
      objects.put("broken/model.onnx", onnx);
      claimedMd5.put("broken/model.onnx", md5("something else".getBytes(StandardCharsets.UTF_8)));
      try (Stream<Path> chat = Files.list(Path.of("src/test/resources/huggingface/tiny-chat"))) {
        for (Path file : chat.toList()) {
          hub.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
      }
      server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
      server.createContext("/", this::handle);
      server.start();
      base = "http://localhost:" + server.getAddress().getPort();
      cache = Files.createTempDirectory("quiver-model-cache");
      serviceAccountKey = rsaKeyPair();
      Path keyFile = writeKeyFile(serviceAccountKey, Files.createTempFile("service-account", ".json"));
      return Map.of(
          "quiver.storage.cache-dir", cache.toString(),
          "quiver.storage.gcs-endpoint", base,
          "quiver.storage.gcs-credentials", keyFile.toString(),
          "quiver.storage.hf-endpoint", base);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    REQUESTS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
    if (path.startsWith("/storage/v1/b/private/")) {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization == null || !issuedTokens.contains(authorization.replaceFirst("^Bearer ", ""))) {
        send(exchange, 401, new byte[0]);
        return;
      }
      path = path.replace("/b/private/", "/b/models/");
    }
    if (files.containsKey(path)) {
      send(exchange, 200, files.get(path));
    } else if (path.equals("/token") && exchange.getRequestMethod().equals("POST")) {
      exchangeAssertion(exchange);
    } else if (path.equals("/storage/v1/b/models/o") && !query.contains("alt=media")) {
      String prefix = URLDecoder.decode(query.replaceFirst(".*prefix=([^&]*).*", "$1"), StandardCharsets.UTF_8);
      StringBuilder items = new StringBuilder();
      for (String name : objects.keySet()) {
        if (name.startsWith(prefix)) {
          items.append(items.isEmpty() ? "" : ",")
              .append("{\"name\":\"%s\",\"md5Hash\":\"%s\"}".formatted(name, claimedMd5.get(name)));
        }
      }
      send(exchange, 200, ("{\"items\":[" + items + "]}").getBytes(StandardCharsets.UTF_8));
    } else if (path.startsWith("/storage/v1/b/models/o/") && query.contains("alt=media")) {
      byte[] object = objects.get(URLDecoder.decode(path.substring("/storage/v1/b/models/o/".length()), StandardCharsets.UTF_8));
      send(exchange, object == null ? 404 : 200, object == null ? new byte[0] : object);
    } else if (path.equals("/api/models/quiver/tiny-chat/revision/v1")) {
      String siblings = String.join(",", hub.keySet().stream().map(name -> "{\"rfilename\":\"" + name + "\"}").toList());
      send(exchange, 200, ("{\"id\":\"quiver/tiny-chat\",\"siblings\":[" + siblings + "]}").getBytes(StandardCharsets.UTF_8));
    } else if (path.startsWith("/quiver/tiny-chat/resolve/v1/") && hub.containsKey(path.substring("/quiver/tiny-chat/resolve/v1/".length()))) {
      send(exchange, 200, hub.get(path.substring("/quiver/tiny-chat/resolve/v1/".length())));
    } else {
      send(exchange, 404, new byte[0]);
    }
  }

  /** OAuth's JWT bearer grant: a token for a well-signed assertion of the known account, valid for an hour. */
  private void exchangeAssertion(HttpExchange exchange) throws IOException {
    Map<String, String> form = new HashMap<>();
    for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
      String[] parts = pair.split("=", 2);
      form.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
    }
    String[] jwt = form.getOrDefault("assertion", "").split("\\.");
    boolean valid = "urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) && jwt.length == 3;
    if (valid) {
      try {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(serviceAccountKey.getPublic());
        rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
        valid = rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))
            && SERVICE_ACCOUNT.equals(claims.path("iss").asText())
            && (base + "/token").equals(claims.path("aud").asText())
            && claims.path("scope").asText().equals("https://www.googleapis.com/auth/devstorage.read_only")
            && claims.path("exp").asLong() - claims.path("iat").asLong() == 3600;
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        valid = false;
      }
    }
    if (!valid) {
      send(exchange, 400, "{\"error\":\"invalid_grant\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String token = "ya29.test-" + issuedTokens.size();
    issuedTokens.add(token);
    send(exchange, 200, "{\"access_token\":\"%s\",\"expires_in\":3599,\"token_type\":\"Bearer\"}".formatted(token).getBytes(StandardCharsets.UTF_8));
  }

  static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A service account key file as Google Cloud's console downloads it, for this server's token endpoint. */
  static Path writeKeyFile(KeyPair key, Path file) throws IOException {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    String json = new ObjectMapper().createObjectNode()
        .put("type", "service_account")
        .put("project_id", "quiver-tests")
        .put("private_key_id", "0123456789abcdef")
        .put("private_key", pem)
        .put("client_email", SERVICE_ACCOUNT)
        .put("token_uri", base + "/token")
        .toPrettyString();
    return Files.writeString(file, json);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] tarGz(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(content.length);
      tar.putArchiveEntry(entry);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] zip(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content);
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static String md5(byte[] content) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static int requests(String path) {
    AtomicInteger count = REQUESTS.get(path);
    return count == null ? 0 : count.get();
  }

  static List<Path> cacheEntries() throws IOException {
    try (Stream<Path> entries = Files.list(cache)) {
      return entries.toList();
    }
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
