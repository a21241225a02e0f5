package io.quiver.core;

import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * The one path every inference takes, whichever protocol it came through: find the model version,
 * validate the request against it, run it, and shape the response.
 *
 * <p>{@link #infer} blocks while the model runs: for virtual threads, never an event loop. Front
 * ends on an event loop use {@link #submit}, which runs a model inline only when it is known to
 * answer faster than handing the request to another thread would take (on the machines measured,
 * waking a thread costs tens of microseconds, longer than a small model's whole inference), and
 * otherwise hands it to a virtual thread.
 */
@ApplicationScoped
public class InferenceService {
  private final ModelRegistry registry;
  private final long inlineBelowNanos;

  InferenceService(ModelRegistry registry, QuiverConfig config) {
    this.registry = registry;
    this.inlineBelowNanos = config.inlineBelowMicros() * 1000L;
  }

  /** A request checked against the version that will answer it. */
  private record Prepared(ModelVersion version, InferenceRequest request) {}

  /**
   * Runs one request, blocking until it is answered.
   *
   * @throws InferenceException describing why it could not be answered
   */
  public InferenceResponse infer(InferenceRequest request) {
    return run(prepare(request));
  }

  /**
   * Runs one request without blocking an I/O thread and hands {@code done} the response or the
   * failure, on this thread or on a virtual thread. Called on a virtual thread, it simply runs the
   * request there.
   */
  public void submit(InferenceRequest request, BiConsumer<InferenceResponse, Throwable> done) {
    Prepared prepared;
    InferenceResponse answeredInline = null;
    try {
      prepared = prepare(request);
      if (!Thread.currentThread().isVirtual() && prepared.version().answersWithin(inlineBelowNanos)) {
        List<InferenceResult> results = prepared.version().inferIfFree(List.of(prepared.request()));
        if (results != null) {
          answeredInline = respond(prepared, results.getFirst());
        }
      }
    } catch (RuntimeException e) {
      done.accept(null, e);
      return;
    }
    if (answeredInline != null) {
      done.accept(answeredInline, null);
    } else if (Thread.currentThread().isVirtual()) {
      complete(prepared, done);
    } else {
      Prepared handedOff = prepared;
      Thread.startVirtualThread(() -> complete(handedOff, done));
    }
  }

  /** One request's answer: its response, or why it failed. */
  public record Outcome(InferenceResponse response, InferenceException failure) {}

  /**
   * Runs many requests, for any models: each model version gets its requests as one batch, and
   * different models run in parallel. Blocks; returns one outcome per request, in order.
   */
  public List<Outcome> inferAll(List<InferenceRequest> requests) {
    Outcome[] outcomes = new Outcome[requests.size()];
    Map<ModelVersion, List<Integer>> byVersion = new LinkedHashMap<>();
    List<Prepared> prepared = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      try {
        Prepared one = prepare(requests.get(i));
        byVersion.computeIfAbsent(one.version(), v -> new ArrayList<>()).add(i);
        prepared.add(one);
      } catch (InferenceException e) {
        outcomes[i] = new Outcome(null, e);
        prepared.add(null);
      }
    }
    try (ExecutorService models = Executors.newVirtualThreadPerTaskExecutor()) {
      byVersion.forEach(
          (version, indexes) ->
              models.execute(() -> runBatch(version, indexes, prepared, outcomes)));
    }
    return List.of(outcomes);
  }

  private static void runBatch(
      ModelVersion version, List<Integer> indexes, List<Prepared> prepared, Outcome[] outcomes) {
    List<InferenceRequest> batch = indexes.stream().map(i -> prepared.get(i).request()).toList();
    List<InferenceResult> results;
    try {
      results = version.infer(batch);
    } catch (InferenceException e) {
      indexes.forEach(i -> outcomes[i] = new Outcome(null, e));
      return;
    }
    for (int k = 0; k < indexes.size(); k++) {
      int i = indexes.get(k);
      try {
        outcomes[i] = new Outcome(respond(prepared.get(i), results.get(k)), null);
      } catch (InferenceException e) {
        outcomes[i] = new Outcome(null, e);
      }
    }
  }

  private static InferenceResponse run(Prepared prepared) {
    return respond(prepared, prepared.version().infer(List.of(prepared.request())).getFirst());
  }

  private static void complete(Prepared prepared, BiConsumer<InferenceResponse, Throwable> done) {
    InferenceResponse response;
    try {
      response = run(prepared);
    } catch (RuntimeException e) {
      done.accept(null, e);
      return;
    }
    done.accept(response, null);
  }

  private Prepared prepare(InferenceRequest request) {
    ModelVersion version = registry.resolveReady(request.modelName(), request.modelVersion());
    InferenceRequest valid =
        RequestValidator.validate(request, version.metadata(), version.describe());
    return new Prepared(version, valid.id() == null ? valid.withId(RequestIds.next()) : valid);
  }

  private static InferenceResponse respond(Prepared prepared, InferenceResult result) {
    ModelVersion version = prepared.version();
    InferenceRequest request = prepared.request();
    return switch (result) {
      case InferenceResult.Failed failed -> throw failed.error();
      case InferenceResult.Outputs outputs ->
          new InferenceResponse(
              version.modelName(),
              version.version(),
              request.id(),
              request.parameters(),
              selectOutputs(outputs.tensors(), request.outputs(), version));
    };
  }

  /** The outputs the request asked for, in its order; all of them when it asked for none. */
  private static List<Tensor> selectOutputs(
      List<Tensor> produced, List<RequestedOutput> requested, ModelVersion version) {
    if (requested.isEmpty()) {
      return produced;
    }
    List<Tensor> selected = new ArrayList<>(requested.size());
    for (RequestedOutput output : requested) {
      selected.add(find(produced, output.name(), version));
    }
    return selected;
  }

  private static Tensor find(List<Tensor> produced, String name, ModelVersion version) {
    for (Tensor tensor : produced) {
      if (tensor.name().equals(name)) {
        return tensor;
      }
    }
    throw new InferenceException.ModelFailure(
        "Model %s did not produce output '%s'".formatted(version.describe(), name), null);
  }
}
