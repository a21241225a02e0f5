package io.quiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.ServerProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connections that send nothing are closed after the idle timeout, and past the connection cap new
 * ones are closed at once: idle clients cannot take every descriptor, and serving resumes.
 */
class IdleConnectionsIT {
  @Test
  void silentConnectionsAreClosedAndCappedAndServingResumes() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            Map.of(
                "QUIVER_MODEL_REPOSITORY", "examples/models",
                "QUARKUS_HTTP_IDLE_TIMEOUT", "2s",
                "QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", "16"))) {
      server.awaitReady(Duration.ofSeconds(60));

      try (Socket silent = new Socket("localhost", server.httpPort)) {
        silent.setSoTimeout(15_000);
        long started = System.nanoTime();
        assertEquals(-1, silent.getInputStream().read(), "the server closes a silent connection");
        assertTrue(System.nanoTime() - started < 10_000_000_000L);
      }

      List<Socket> idle = new ArrayList<>();
      int refused = 0;
      try {
        for (int i = 0; i < 40; i++) {
          idle.add(new Socket("localhost", server.httpPort));
        }
        Thread.sleep(300); // well within the idle timeout: only the cap closes any of them
        for (Socket socket : idle) {
          if (closedAtOnce(socket)) {
            refused++;
          }
        }
        assertTrue(refused >= 20, "connections beyond the cap of 16 are closed at once; refused " + refused);
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
      Thread.sleep(500);
      assertEquals(200, server.get("/v2/health/live").statusCode());
    }
  }

  private static boolean closedAtOnce(Socket socket) throws IOException {
    socket.setSoTimeout(20);
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    }
  }
}
