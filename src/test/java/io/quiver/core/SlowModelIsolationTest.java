package io.quiver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Four clients keep a model that takes seconds per call busy; another model, health, metadata and
 * the repository index still answer promptly. Model code runs on each model's own threads, so the
 * slow model's native calls cannot occupy what the others need.
 */
@QuarkusTest
class SlowModelIsolationTest {
  private static final String SLOW_REQUEST =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[0.5]}]}";
  private static final long BOUND_MS = 250;

  @Test
  void aBusySlowModelDoesNotStallTheOthers() throws Exception {
    // 3,000 rows: more than is ever run on an I/O thread, so the request takes the worker path.
    ObjectNode fast = Expected.JSON.createObjectNode();
    ArrayNode rows = fast.putArray("instances");
    for (int i = 0; i < 3_000; i++) {
      rows.addArray().add(6.8).add(2.8).add(4.8).add(1.4);
    }
    AtomicBoolean busy = new AtomicBoolean(true);
    AtomicInteger slowAnswers = new AtomicInteger();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> slow = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        slow.add(
            clients.submit(
                () -> {
                  while (busy.get()) {
                    Reply reply = Rest.post("/v2/models/slow/infer", SLOW_REQUEST);
                    assertEquals(200, reply.status(), reply.text());
                    slowAnswers.incrementAndGet();
                  }
                }));
      }
      Thread.sleep(1_500); // every slow call is under way

      List<Long> predict = new ArrayList<>();
      List<Long> control = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        predict.add(timed(() -> Rest.post("/v1/models/iris-xgboost:predict", fast)));
        control.add(timed(() -> Rest.get("/v2/health/ready")));
        control.add(timed(() -> Rest.get("/v2/models/iris-onnx")));
        control.add(timed(() -> Rest.post("/v2/repository/index", "")));
      }
      busy.set(false);
      for (Future<?> client : slow) {
        client.get(60, TimeUnit.SECONDS);
      }
      assertTrue(slowAnswers.get() >= 4, "the slow model was kept busy: " + slowAnswers.get() + " answers");
      Collections.sort(predict);
      Collections.sort(control);
      assertTrue(predict.get(predict.size() / 2) < BOUND_MS, "fast model p50 ms with a slow one busy: " + predict);
      assertTrue(control.getLast() < BOUND_MS * 4, "health, metadata and index ms: " + control);
    }
  }

  private interface Call {
    Reply send();
  }

  private static long timed(Call call) {
    long started = System.nanoTime();
    Reply reply = call.send();
    assertEquals(200, reply.status(), reply.text());
    return (System.nanoTime() - started) / 1_000_000;
  }
}
