package io.quiver.observability;

/** Where payload log records go. Called from the logger's own sender thread, never a request's. */
interface LogSink extends AutoCloseable {

  /**
   * Sends one record; may block for a while. Delivery failures are reported to {@code failed},
   * possibly later, on another thread.
   */
  void send(LogRecord record, Runnable failed);

  @Override
  void close();
}
