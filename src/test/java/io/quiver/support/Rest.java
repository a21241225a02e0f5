package io.quiver.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A plain HTTP client for the server under test. It sends exactly the headers a test gives (no
 * Content-Type unless asked), as KServe's own client does.
 */
public final class Rest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Rest() {}

  public record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return Expected.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    public String error() {
      return json().path("error").asText();
    }
  }

  public static URI uri(String path) {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    return URI.create("http://localhost:" + port + path);
  }

  public static Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** A GET with headers, given as name, value, name, value... */
  public static Reply get(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  /** POSTs a JSON text with no Content-Type header, as KServe's Python client does. */
  public static Reply post(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public static Reply post(String path, JsonNode body) {
    return post(path, body.toString());
  }

  /** POSTs the same body {@code count} times at once; the replies, each checked to be 200. */
  public static List<Reply> postAtOnce(String path, JsonNode body, int count) throws Exception {
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Reply>> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        pending.add(clients.submit(() -> post(path, body)));
      }
      List<Reply> replies = new ArrayList<>();
      for (Future<Reply> future : pending) {
        Reply reply = future.get(60, TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.text());
        replies.add(reply);
      }
      return replies;
    }
  }

  public static Reply post(String path, byte[] body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request);
  }

  private static Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> response =
          CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
