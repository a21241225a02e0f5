package io.quiver.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Payload logging with its broker unreachable: inferences neither fail nor wait for it; records
 * beyond the (small) buffer are dropped and counted.
 */
@QuarkusTest
@TestProfile(UnreachableLogSinkTest.UnreachableBroker.class)
class UnreachableLogSinkTest {

  public static class UnreachableBroker implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kafka.bootstrap.servers", "localhost:" + closedPort(),
          "quiver.logger.mode", "all",
          "quiver.logger.buffer-size", "8");
    }

    private static int closedPort() {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void inferencesGoOnAndDroppedRecordsAreCounted() {
    Expected iris = Expected.of("iris-onnx");
    long slowest = 0;
    for (int i = 0; i < 300; i++) {
      long started = System.nanoTime();
      Reply reply = Rest.post("/v2/models/iris-onnx/infer", iris.request());
      slowest = Math.max(slowest, System.nanoTime() - started);
      assertEquals(200, reply.status(), reply.text());
    }
    // Each inference waits at most quiver.logger.max-block (2 ms) for the log; without the buffer a
    // producer would hold it for its max.block.ms (60 s by default) waiting for the broker.
    assertTrue(slowest < 1_000_000_000L, "slowest inference took " + slowest / 1_000_000 + " ms");
    String metrics = Rest.get("/metrics").text();
    double dropped =
        metrics.lines()
            .filter(line -> line.startsWith("quiver_payload_log_dropped_total"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .findFirst()
            .orElseThrow();
    assertTrue(dropped > 500, "600 records for 8 places in the buffer: dropped " + dropped);
  }
}
