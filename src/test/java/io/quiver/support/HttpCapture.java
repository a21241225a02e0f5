package io.quiver.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny HTTP server that records every request POSTed to it: a stand-in for a KServe logger sink. */
public final class HttpCapture implements AutoCloseable {
  /** One POST: its headers (names lower-cased) and body. */
  public record Posted(Map<String, String> headers, byte[] body) {}

  private final HttpServer server;
  private final List<Posted> posted = new CopyOnWriteArrayList<>();

  private HttpCapture(HttpServer server) {
    this.server = server;
  }

  public static HttpCapture start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
      HttpCapture capture = new HttpCapture(server);
      server.createContext(
          "/",
          exchange -> {
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            capture.posted.add(new Posted(headers, exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
          });
      server.start();
      return capture;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://localhost:" + server.getAddress().getPort() + "/";
  }

  public List<Posted> posted() {
    return List.copyOf(posted);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
