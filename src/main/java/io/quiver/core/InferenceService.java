package io.quiver.core;

import io.quiver.core.InferenceObserver.Answered;
import io.quiver.core.InferenceObserver.Outcome;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.registry.ModelInstance;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * The one path every inference takes, whichever protocol it came through: take the instance of
 * the model version that will answer, decode and validate the request against it, run it on the
 * model's scheduler, and shape the response. The instance is held from the first step to the last,
 * so a reload or an unload in between can neither fail the request nor free the model under it.
 * Every request's phases are timed once here, for Triton's statistics and for the observers
 * (metrics, traces).
 *
 * <p>Nothing here blocks: the answer comes to a callback, on the calling thread when the model
 * ran there, otherwise on one of the model's threads. {@link #inferAll} waits
 * for it, for callers on virtual threads.
 */
@ApplicationScoped
public class InferenceService {
  private final ModelRegistry registry;
  private final List<InferenceObserver> observers;

  InferenceService(ModelRegistry registry, Instance<InferenceObserver> observers) {
    this.registry = registry;
    this.observers = observers.stream().toList();
  }

  /** Decodes a request against the metadata of the instance that will answer it. */
  @FunctionalInterface
  public interface Decoder {
    InferenceRequest decode(ModelMetadata metadata) throws Exception;
  }

  /** Where a request's answer goes: its response, or the failure (exactly one is null). */
  @FunctionalInterface
  public interface Callback extends BiConsumer<InferenceResponse, Throwable> {}

  /**
   * Runs one request for a model version and hands {@code done} the response or the failure,
   * exactly once. The request is decoded by {@code decoder} against the metadata of the very
   * instance that runs it. {@code done} encodes and sends the answer: its time counts as the
   * request's output phase.
   */
  public void submit(Trace trace, String model, String version, Decoder decoder, Callback done) {
    long arrived = System.nanoTime();
    ModelInstance instance;
    try {
      instance = registry.acquire(model, version);
    } catch (RuntimeException e) {
      Outcome outcome = outcome(e);
      observe(new Answered(trace.protocol(), null, null, outcome, System.nanoTime() - arrived, 0, 0, 0, 0));
      trace.end(null, null, outcome, e);
      done.accept(null, e);
      return;
    }
    InferenceRequest request;
    try {
      request = prepare(instance, decoder.decode(instance.metadata()));
    } catch (Exception e) {
      refuse(trace, instance, arrived, e instanceof InferenceException known ? outcome(known) : Outcome.CLIENT_ERROR, e, done);
      return;
    }
    long decoded = System.nanoTime();
    trace.decoded(arrived, decoded);
    try {
      instance
          .scheduler()
          .submit(
              request,
              (result, queueNanos, computeNanos, batchSize) ->
                  answer(trace, instance, request, result, new Timing(arrived, decoded, queueNanos, computeNanos, batchSize), done));
    } catch (InferenceException e) {
      refuse(trace, instance, arrived, outcome(e), e, done);
    }
  }

  /** When a request arrived and was decoded, how long it waited and ran, in a batch of how many. */
  private record Timing(long arrived, long decoded, long queueNanos, long computeNanos, int batchSize) {}

  private void refuse(Trace trace, ModelInstance instance, long arrived, Outcome outcome, Exception error, Callback done) {
    long total = System.nanoTime() - arrived;
    instance.statistics().refused(total);
    observe(new Answered(trace.protocol(), instance.modelName(), instance.version(), outcome, total, total, 0, 0, 0));
    trace.end(instance.modelName(), instance.version(), outcome, error);
    instance.release();
    done.accept(null, error);
  }

  private void answer(
      Trace trace, ModelInstance instance, InferenceRequest request, InferenceResult result, Timing timing, Callback done) {
    long answering = System.nanoTime();
    long ran = answering - timing.computeNanos();
    trace.queued(ran - timing.queueNanos(), ran);
    trace.executed(ran, answering, timing.batchSize());
    InferenceResponse response = null;
    RuntimeException failure = null;
    try {
      response = respond(instance, request, result);
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      done.accept(response, failure);
    } finally {
      long finished = System.nanoTime();
      long input = timing.decoded() - timing.arrived();
      long output = finished - answering;
      long total = finished - timing.arrived();
      Outcome outcome = failure == null ? Outcome.SUCCESS : outcome(failure);
      instance.statistics().request(failure == null, total, timing.queueNanos(), input, timing.computeNanos(), output);
      observe(
          new Answered(
              trace.protocol(), instance.modelName(), instance.version(), outcome, total, input, timing.queueNanos(),
              timing.computeNanos(), output));
      trace.encoded(answering, finished);
      trace.end(instance.modelName(), instance.version(), outcome, failure);
      instance.release();
    }
  }

  private void observe(Answered request) {
    for (InferenceObserver observer : observers) {
      observer.answered(request);
    }
  }

  /** How a failure counts for operators. */
  private static Outcome outcome(Throwable failure) {
    return switch (failure) {
      case InferenceException.InvalidInput e -> Outcome.CLIENT_ERROR;
      case InferenceException.ModelNotFound e -> Outcome.CLIENT_ERROR;
      case InferenceException.NotImplemented e -> Outcome.CLIENT_ERROR;
      case InferenceException.ModelNotReady e -> Outcome.REJECTED;
      case InferenceException.Unavailable e -> Outcome.REJECTED;
      default -> Outcome.SERVER_ERROR;
    };
  }

  /** One request's answer: its response, or why it failed. */
  public record Answer(InferenceResponse response, Throwable failure) {}

  /** A request to run among others, decoded when its model's instance is known. */
  public record Call(Trace trace, String model, String version, Decoder decoder) {}

  /**
   * Runs many requests, for any models, all at once (each model's scheduler batches and bounds
   * them). Blocks; returns one outcome per call, in order.
   */
  public List<Answer> inferAll(List<Call> calls) {
    List<CompletableFuture<Answer>> pending = new ArrayList<>(calls.size());
    for (Call call : calls) {
      pending.add(call(call.trace(), call.model(), call.version(), call.decoder()));
    }
    List<Answer> outcomes = new ArrayList<>(calls.size());
    for (CompletableFuture<Answer> outcome : pending) {
      outcomes.add(await(outcome));
    }
    return outcomes;
  }

  private CompletableFuture<Answer> call(Trace trace, String model, String version, Decoder decoder) {
    CompletableFuture<Answer> outcome = new CompletableFuture<>();
    submit(trace, model, version, decoder, (response, failure) -> outcome.complete(new Answer(response, failure)));
    return outcome;
  }

  private static Answer await(CompletableFuture<Answer> outcome) {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(null, new InferenceException.Unavailable("Interrupted while waiting for the model."));
    } catch (ExecutionException e) {
      return new Answer(null, e.getCause());
    }
  }

  private static InferenceRequest prepare(ModelInstance instance, InferenceRequest request) {
    ModelMetadata metadata = instance.metadata().forSignature(ModelMetadata.signatureName(request));
    InferenceRequest valid = RequestValidator.validate(request, metadata, instance.describe());
    if (instance.maxRowsPerRequest() > 0) {
      RequestValidator.requireRowsAtMost(valid, instance.maxRowsPerRequest(), instance.describe());
    }
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
