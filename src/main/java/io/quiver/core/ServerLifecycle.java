package io.quiver.core;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.core.registry.ModelRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Liveness, readiness and the server's identity. The server is live as soon as it serves, and
 * ready once every model has finished loading (a model that failed or timed out does not hold the
 * others back) and until shutdown begins; on shutdown, readiness goes false first, then in-flight
 * requests finish and models are freed.
 */
@ApplicationScoped
public class ServerLifecycle {
  private static final Logger LOG = Logger.getLogger(ServerLifecycle.class);
  /** Extensions of the Open Inference Protocol this server implements, as /v2 reports them. */
  public static final List<String> EXTENSIONS =
      List.of("model_repository_extension", "binary_tensor_data", "statistics", "model_configuration");

  private final ModelRegistry registry;
  private final String version;
  private final Duration shutdownDelay;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private volatile boolean draining;
  private volatile boolean refusing;

  ServerLifecycle(
      ModelRegistry registry,
      @ConfigProperty(name = "quarkus.application.version") String version,
      @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> shutdownDelay) {
    this.registry = registry;
    this.version = version;
    this.shutdownDelay = shutdownDelay.orElse(Duration.ZERO);
  }

  /**
   * Starts loading the repository without waiting for it: the ports open at once, so probes get
   * live 200 and ready 503 while large models load.
   */
  void onStart(@Observes @Priority(10) StartupEvent event) {
    long begin = System.nanoTime();
    registry
        .loadAll()
        .whenComplete(
            (done, error) -> {
              started.complete(null);
              LOG.infof(
                  "Model repository loaded in %d ms: %d models",
                  (System.nanoTime() - begin) / 1_000_000, registry.modelNames().size());
            });
  }

  /**
   * Readiness drops as soon as shutdown is announced, so load balancers stop sending work; once
   * the shutdown delay has passed, new requests are refused, so that the drain of those in flight
   * ends as soon as they are done rather than at the shutdown timeout.
   */
  void onShutdownAnnounced(@Observes ShutdownDelayInitiatedEvent event) {
    draining = true;
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                Thread.sleep(shutdownDelay);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              refusing = true;
            });
  }

  void onShutdown(@Observes @Priority(10) ShutdownEvent event) {
    draining = true;
    registry.unloadAll();
    LOG.info("All models drained and unloaded");
  }

  public boolean isLive() {
    return true;
  }

  public boolean isReady() {
    return started.isDone() && !draining;
  }

  /** Whether shutdown has begun: no new work should be started. */
  public boolean isDraining() {
    return draining;
  }

  /** Whether shutdown has passed its delay: new requests are refused, those in flight finish. */
  public boolean isRefusing() {
    return refusing;
  }

  /** Completes once every model has finished loading. */
  public CompletionStage<Void> started() {
    return started;
  }

  public String name() {
    return "quiver";
  }

  public String version() {
    return version;
  }
}
