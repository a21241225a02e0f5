package io.quiver.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged server (target/quarkus-app/quarkus-run.jar) run as a process of its own. */
public final class ServerProcess implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final Process process;
  private final Path log;
  public final int httpPort;
  public final int grpcPort;
  /** When the process was started, by {@link System#nanoTime()}. */
  public final long startedAt;

  private ServerProcess(Process process, Path log, int httpPort, int grpcPort, long startedAt) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.startedAt = startedAt;
  }

  /** Starts the server on free ports with extra environment variables and JVM options. */
  public static ServerProcess start(Map<String, String> environment, String... jvmOptions) {
    return start(System.getProperty("quiver.jar", "target/quarkus-app/quarkus-run.jar"), environment, jvmOptions);
  }

  /** Starts a given build of the server (its quarkus-run.jar). */
  public static ServerProcess start(String jar, Map<String, String> environment, String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(List.of(jvmOptions));
    command.add("-jar");
    command.add(jar);
    return launch(command, environment, true);
  }

  /**
   * Runs a command that starts the server, such as a container's entry point, with only the given
   * environment (and the ports); the server is the command's own java process or its descendant.
   */
  public static ServerProcess launch(List<String> command, Map<String, String> environment) {
    return launch(command, environment, false);
  }

  private static ServerProcess launch(List<String> command, Map<String, String> environment, boolean inherit) {
    try {
      int http = freePort();
      int grpc = freePort();
      Path log = Files.createTempFile("quiver-server", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      if (!inherit) {
        builder.environment().clear();
      }
      // Nothing the test's own environment sets may shield the server from what users meet.
      builder.environment().remove("ORT_DISABLE_TELEMETRY");
      builder.environment().putAll(environment);
      builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(http));
      builder.environment().put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(grpc));
      long startedAt = System.nanoTime();
      return new ServerProcess(builder.start(), log, http, grpc, startedAt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waits until {@code /v2/health/ready} answers 200; returns the time from start, in ms. */
  public long awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited: " + log());
      }
      if (get("/v2/health/ready").statusCode() == 200) {
        return (System.nanoTime() - startedAt) / 1_000_000;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("server not ready in " + timeout + ": " + log());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + httpPort + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new RefusedResponse(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends SIGTERM to the server, as Kubernetes does. */
  public void terminate() {
    server().destroy();
  }

  /** The process started; it ends when the server does. */
  public Process process() {
    return process;
  }

  /** The server's JVM. */
  public long pid() {
    return server().pid();
  }

  private ProcessHandle server() {
    return process.descendants()
        .filter(child -> child.info().command().orElse("").endsWith("/java"))
        .findFirst()
        .orElse(process.toHandle());
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server().destroyForcibly();
    process.destroyForcibly();
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover log file in the temp folder is harmless
    }
  }

  /** Stands in for a response when the connection is refused (server not up yet, or gone). */
  private record RefusedResponse(HttpRequest request) implements HttpResponse<String> {
    public int statusCode() {
      return -1;
    }

    public HttpRequest request() {
      return request;
    }

    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    public String body() {
      return "";
    }

    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    public URI uri() {
      return request.uri();
    }

    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
