package io.quiver.support;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.quiver.core.ServerLifecycle;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * Models load after the server opens its ports; every test against the running server waits, as a
 * client would for readiness, until the repository has finished loading.
 */
public class AwaitModelsLoaded implements QuarkusTestBeforeEachCallback {
  /** Marks a test class that watches the server while models are still loading. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface WhileLoading {}

  @Override
  public void beforeEach(QuarkusTestMethodContext context) {
    if (context.getTestInstance().getClass().isAnnotationPresent(WhileLoading.class)) {
      return;
    }
    try {
      Arc.container().instance(ServerLifecycle.class).get().started().toCompletableFuture().get(3, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("the model repository did not finish loading", e);
    }
  }
}
