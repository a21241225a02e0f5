package io.quiver.protocol.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining over raw sockets: several requests in one write, each answered, in order,
 * whether a request runs on the I/O thread, on a model's thread, or has a body too large for the
 * I/O thread.
 */
@QuarkusTest
class PipeliningTest {
  private static final String SMALL = Expected.of("iris-onnx").request().toString();

  private static String post(String path, String body) {
    return "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s"
        .formatted(path, body.getBytes(StandardCharsets.UTF_8).length, body);
  }

  private static String get(String path) {
    return "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n".formatted(path);
  }

  /** A v1 request of many rows: a body well over 64 KiB, decoded off the I/O thread. */
  private static String largeBody() {
    StringBuilder rows = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < 4_000; i++) {
      rows.append(i == 0 ? "" : ",").append("[6.8, 2.8, 4.8, 1.4]");
    }
    return rows.append("]}").toString();
  }

  @RepeatedTest(10)
  void aLargeBodyFollowedByAnotherRequestInOneWriteGetsBothAnswers() throws IOException {
    String large = largeBody();
    assertTrue(large.length() > 64 * 1024);
    List<Integer> statuses =
        exchange(post("/v1/models/iris-xgboost:predict", large) + get("/v2/health/live"), 2);
    assertEquals(List.of(200, 200), statuses);
  }

  @RepeatedTest(5)
  void fourPipelinedRequestsOfEveryKindAreAnsweredInOrder() throws IOException {
    String requests =
        post("/v2/models/iris-onnx/infer", SMALL)
            + post("/v1/models/iris-xgboost:predict", largeBody())
            + post("/v2/models/nosuch/infer", SMALL)
            + get("/v2/health/ready");
    assertEquals(List.of(200, 200, 404, 200), exchange(requests, 4));
  }

  @Test
  void theServerStillServesAfterwards() {
    assertEquals(200, Rest.get("/v2/health/ready").status());
  }

  /** Writes all requests at once and reads {@code count} responses' status codes, in order. */
  private static List<Integer> exchange(String requests, int count) throws IOException {
    try (Socket socket = new Socket(Rest.uri("/").getHost(), Rest.uri("/").getPort())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(requests.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String head = readHead(in);
        statuses.add(Integer.parseInt(head.substring(9, 12)));
        in.readNBytes(contentLength(head));
      }
      return statuses;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    throw new IllegalStateException("no content-length in " + head);
  }
}
