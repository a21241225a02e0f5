package io.quiver.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.function.Consumer;

/** A REST endpoint (POST with a body, or GET without) called through Vert.x's HTTP client over keep-alive connections. */
final class RestTarget implements LoadTarget {
  private final String name;
  private final HttpClient client;
  private final int port;
  private final String path;
  private final Buffer body;
  private final HttpMethod method;
  private final String authorization;

  RestTarget(Vertx vertx, String name, int port, String path, String body, int connections) {
    this(vertx, name, port, path, body, connections, null);
  }

  /** A target whose every request carries {@code Authorization: <authorization>} (null: none). */
  RestTarget(Vertx vertx, String name, int port, String path, String body, int connections, String authorization) {
    this.name = name;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(connections));
    this.port = port;
    this.path = path;
    this.body = body == null ? null : Buffer.buffer(body);
    this.method = body == null ? HttpMethod.GET : HttpMethod.POST;
    this.authorization = authorization;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void call(Consumer<Throwable> done) {
    client
        .request(method, port, "localhost", path)
        .compose(
            request -> {
              if (authorization != null) {
                request.putHeader("Authorization", authorization);
              }
              return body == null ? request.send() : request.send(body);
            })
        .compose(
            response ->
                response
                    .body()
                    .map(
                        answer -> {
                          if (response.statusCode() != 200) {
                            throw new IllegalStateException(response.statusCode() + " " + answer);
                          }
                          return answer;
                        }))
        .onComplete(result -> done.accept(result.cause()));
  }

  @Override
  public void close() {
    client.close();
  }
}
