package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.quiver.support.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** The whole model repository from a storage URI: a .tar.gz of model folders on an HTTP server, downloaded at start. */
class RemoteRepositoryIT {

  @Test
  void theRepositoryIsDownloadedAtStartAndServed() throws Exception {
    byte[] archive = repositoryArchive(Path.of("examples/models/iris-onnx/model.onnx"));
    HttpServer store = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    store.createContext(
        "/models.tar.gz",
        exchange -> {
          exchange.sendResponseHeaders(200, archive.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(archive);
          }
        });
    store.start();
    Path cache = Files.createTempDirectory("quiver-it-cache");
    String uri = "http://localhost:" + store.getAddress().getPort() + "/models.tar.gz";
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", uri, "QUIVER_STORAGE_CACHE_DIR", cache.toString()))) {
      server.awaitReady(Duration.ofSeconds(60));
      HttpResponse<String> answer =
          server.post("/v2/models/iris/infer", "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}");
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals("{\"models\":[\"iris\"]}", server.get("/v1/models").body());
    } finally {
      store.stop(0);
    }
  }

  private static byte[] repositoryArchive(Path model) throws Exception {
    byte[] content = Files.readAllBytes(model);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      TarArchiveEntry entry = new TarArchiveEntry("iris/model.onnx");
      entry.setSize(content.length);
      tar.putArchiveEntry(entry);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }
}
