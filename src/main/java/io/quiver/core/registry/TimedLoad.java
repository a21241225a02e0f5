package io.quiver.core.registry;

import io.quiver.core.spi.LoadedModel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Runs one model load on a platform thread of its own (loads run native code and may take long)
 * with a time limit. A load that overruns is abandoned: its version fails at the limit, and
 * whatever the load produces later is closed unseen. The thread is a daemon, so neither a slow
 * nor a hung load can hold up shutdown.
 */
final class TimedLoad {
  private static final Logger LOG = Logger.getLogger(TimedLoad.class);

  private TimedLoad() {}

  /** Completes with the loaded model, or exceptionally with why there is none. */
  static CompletableFuture<LoadedModel> run(Callable<LoadedModel> load, Duration limit, String description) {
    CompletableFuture<LoadedModel> result = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("quiver-load-" + description)
        .start(
            () -> {
              try {
                LoadedModel model = load.call();
                if (!result.complete(model)) {
                  LOG.warnf("Model %s finished loading after its time limit; closing it", description);
                  model.close();
                }
              } catch (Throwable e) {
                // whatever a load throws, StackOverflowError included, fails that load alone
                result.completeExceptionally(e);
              }
            });
    return result.completeOnTimeout(null, limit.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            model -> {
              if (model == null) {
                throw new TimedOut(limit);
              }
              return model;
            });
  }

  /** A load that took longer than its limit. */
  static final class TimedOut extends RuntimeException {
    TimedOut(Duration limit) {
      super(
          "loading took longer than %ds (quiver.load-timeout); abandoned".formatted(limit.toSeconds()),
          null,
          false,
          false);
    }
  }
}
