package io.quiver.protocol.rest;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The plain-HTTP server speaks HTTP/1.1 only while gRPC has a port of its own. Vert.x holds a new
 * cleartext connection aside until its first bytes show whether it is HTTP/2 ("h2c"), and only
 * then counts it: without h2c every connection is counted from the moment it opens, so the
 * connection cap ({@link ConnectionLimit}) also bounds clients that connect and say nothing.
 */
@ApplicationScoped
public class HttpServerSettings implements HttpServerOptionsCustomizer {
  private final boolean grpcOnItsOwnPort;

  HttpServerSettings(@ConfigProperty(name = "quarkus.grpc.server.use-separate-server") boolean grpcOnItsOwnPort) {
    this.grpcOnItsOwnPort = grpcOnItsOwnPort;
  }

  @Override
  public void customizeHttpServer(HttpServerOptions options) {
    if (grpcOnItsOwnPort) {
      options.setHttp2ClearTextEnabled(false);
    }
  }
}
