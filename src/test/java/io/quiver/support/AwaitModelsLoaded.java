package io.quiver.support;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.quiver.core.ServerLifecycle;
import java.util.concurrent.TimeUnit;

/**
 * Models load after the server opens its ports; every test against the running server waits, as a
 * client would for readiness, until the repository has finished loading.
 */
public class AwaitModelsLoaded implements QuarkusTestBeforeEachCallback {
  @Override
  public void beforeEach(QuarkusTestMethodContext context) {
    try {
      Arc.container().instance(ServerLifecycle.class).get().started().toCompletableFuture().get(3, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("the model repository did not finish loading", e);
    }
  }
}
