package io.quiver.bench;

import java.util.function.Consumer;

/** Something that answers requests: one asynchronous call, reporting success or failure when done. */
interface LoadTarget extends AutoCloseable {
  String name();

  /** Sends one request; {@code done} receives null on success, or the failure. */
  void call(Consumer<Throwable> done);

  @Override
  default void close() {}
}
