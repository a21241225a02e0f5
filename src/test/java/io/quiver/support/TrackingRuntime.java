package io.quiver.support;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.PerRequestModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime for lifecycle tests (format "tracking"): it counts how often each model is loaded and
 * closed, and its requests can be held open, so tests can watch the registry drain and free models.
 * Its model echoes its INT64 input, and fails (as a broken model would) when the first value is
 * negative.
 */
@ApplicationScoped
public class TrackingRuntime implements ModelRuntime {
  public static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();
  public static final Map<String, AtomicInteger> CLOSES = new ConcurrentHashMap<>();
  /** Requests wait on this gate while it is set. */
  public static volatile CountDownLatch gate;
  /** Counts requests that have entered the model. */
  public static final AtomicInteger ENTERED = new AtomicInteger();

  @Override
  public String format() {
    return "tracking";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return false;
  }

  /**
   * Loads the model. Parameters make a load misbehave as a broken or huge model would:
   * {@code load_seconds} takes that long, {@code load_error} throws that error.
   */
  @Override
  public LoadedModel load(ModelSource source) throws InterruptedException {
    String name = source.name();
    LOADS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    Thread.sleep(source.settings().intParameter("load_seconds").orElse(0) * 1000L);
    if ("StackOverflowError".equals(source.settings().parameter("load_error").orElse(null))) {
      throw new StackOverflowError();
    }
    return new PerRequestModel() {
      @Override
      public ModelMetadata metadata() {
        return new ModelMetadata(
            "tracking",
            List.of(TensorSpec.of("x", DataType.INT64, -1)),
            List.of(TensorSpec.of("x", DataType.INT64, -1)));
      }

      @Override
      public List<Tensor> predict(InferenceRequest request) {
        ENTERED.incrementAndGet();
        CountDownLatch holding = gate;
        if (holding != null) {
          try {
            holding.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (request.inputs().getFirst().getLong(0) < 0) {
          throw new IllegalStateException("tracking model refuses negative input " + request.inputs().getFirst().getLong(0));
        }
        return request.inputs();
      }

      @Override
      public void close() {
        CLOSES.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      }
    };
  }

  /** Puts a tracking model in the test repository and loads it through the repository API. */
  public static void serve(String name) throws IOException {
    Path folder = TestRepository.root().resolve(name);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("model-settings.json"), "{\"format\": \"tracking\"}");
    int status = Rest.post("/v2/repository/models/" + name + "/load", "").status();
    if (status != 200) {
      throw new IllegalStateException("loading " + name + " answered " + status);
    }
  }

  public static int loads(String name) {
    return LOADS.getOrDefault(name, new AtomicInteger()).get();
  }

  public static int closes(String name) {
    return CLOSES.getOrDefault(name, new AtomicInteger()).get();
  }
}
