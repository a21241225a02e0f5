package io.quiver.core;

import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.registry.ModelInstance;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The one path every inference takes, whichever protocol it came through: take the instance of
 * the model version that will answer, decode and validate the request against it, run it on the
 * model's scheduler, and shape the response. The instance is held from the first step to the last,
 * so a reload or an unload in between can neither fail the request nor free the model under it.
 *
 * <p>Nothing here blocks: the answer comes to a callback, on the calling thread when the model
 * ran there, otherwise on one of the model's threads. {@link #infer} and {@link #inferAll} wait
 * for it, for callers on virtual threads.
 */
@ApplicationScoped
public class InferenceService {
  private final ModelRegistry registry;

  InferenceService(ModelRegistry registry) {
    this.registry = registry;
  }

  /** Decodes a request against the metadata of the instance that will answer it. */
  @FunctionalInterface
  public interface Decoder {
    InferenceRequest decode(ModelMetadata metadata) throws Exception;
  }

  /** Where a request's answer goes: its response, or the failure (exactly one is null). */
  @FunctionalInterface
  public interface Callback extends BiConsumer<InferenceResponse, Throwable> {}

  /** Runs a decoded request; see {@link #submit(String, String, Decoder, Callback)}. */
  public void submit(InferenceRequest request, Callback done) {
    submit(request.modelName(), request.modelVersion(), metadata -> request, done);
  }

  /**
   * Runs one request for a model version and hands {@code done} the response or the failure,
   * exactly once. The request is decoded by {@code decoder} against the metadata of the very
   * instance that runs it.
   */
  public void submit(String model, String version, Decoder decoder, Callback done) {
    ModelInstance instance;
    InferenceRequest request;
    try {
      instance = registry.acquire(model, version);
    } catch (RuntimeException e) {
      done.accept(null, e);
      return;
    }
    try {
      request = prepare(instance, decoder.decode(instance.metadata()));
      instance.scheduler().submit(request, result -> answer(instance, request, result, done));
    } catch (Exception e) {
      instance.release();
      done.accept(null, e);
    }
  }

  private static void answer(
      ModelInstance instance, InferenceRequest request, InferenceResult result, Callback done) {
    InferenceResponse response;
    try {
      response = respond(instance, request, result);
    } catch (RuntimeException e) {
      instance.release();
      done.accept(null, e);
      return;
    }
    try {
      done.accept(response, null);
    } finally {
      instance.release();
    }
  }

  /**
   * Runs one request, blocking until it is answered; for virtual threads.
   *
   * @throws InferenceException describing why it could not be answered
   */
  public InferenceResponse infer(InferenceRequest request) {
    return await(call(request.modelName(), request.modelVersion(), metadata -> request)).orElseThrow();
  }

  /** One request's answer: its response, or why it failed. */
  public record Outcome(InferenceResponse response, Throwable failure) {
    InferenceResponse orElseThrow() {
      if (failure instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (failure != null) {
        throw new InferenceException.ModelFailure(failure.getMessage(), failure);
      }
      return response;
    }
  }

  /** A request to run among others, decoded when its model's instance is known. */
  public record Call(String model, String version, Decoder decoder) {}

  /**
   * Runs many requests, for any models, all at once (each model's scheduler batches and bounds
   * them). Blocks; returns one outcome per call, in order.
   */
  public List<Outcome> inferAll(List<Call> calls) {
    List<CompletableFuture<Outcome>> pending = new ArrayList<>(calls.size());
    for (Call call : calls) {
      pending.add(call(call.model(), call.version(), call.decoder()));
    }
    List<Outcome> outcomes = new ArrayList<>(calls.size());
    for (CompletableFuture<Outcome> outcome : pending) {
      outcomes.add(await(outcome));
    }
    return outcomes;
  }

  private CompletableFuture<Outcome> call(String model, String version, Decoder decoder) {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    submit(model, version, decoder, (response, failure) -> outcome.complete(new Outcome(response, failure)));
    return outcome;
  }

  private static Outcome await(CompletableFuture<Outcome> outcome) {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, new InferenceException.Unavailable("Interrupted while waiting for the model."));
    } catch (java.util.concurrent.ExecutionException e) {
      return new Outcome(null, e.getCause());
    }
  }

  private static InferenceRequest prepare(ModelInstance instance, InferenceRequest request) {
    InferenceRequest valid = RequestValidator.validate(request, instance.metadata(), instance.describe());
    return valid.id() == null ? valid.withId(RequestIds.next()) : valid;
  }

  private static InferenceResponse respond(ModelInstance instance, InferenceRequest request, InferenceResult result) {
    return switch (result) {
      case InferenceResult.Failed failed -> throw failed.error();
      case InferenceResult.Outputs outputs ->
          new InferenceResponse(
              instance.modelName(),
              instance.version(),
              request.id(),
              request.parameters(),
              selectOutputs(outputs.tensors(), request.outputs(), instance),
              instance.metadata().outputsAreColumns());
    };
  }

  /** The outputs the request asked for, in its order; all of them when it asked for none. */
  private static List<Tensor> selectOutputs(
      List<Tensor> produced, List<RequestedOutput> requested, ModelInstance instance) {
    if (requested.isEmpty()) {
      return produced;
    }
    List<Tensor> selected = new ArrayList<>(requested.size());
    for (RequestedOutput output : requested) {
      selected.add(find(produced, output.name(), instance));
    }
    return selected;
  }

  private static Tensor find(List<Tensor> produced, String name, ModelInstance instance) {
    for (Tensor tensor : produced) {
      if (tensor.name().equals(name)) {
        return tensor;
      }
    }
    throw new InferenceException.ModelFailure(
        "Model %s did not produce output '%s'".formatted(instance.describe(), name), null);
  }
}
