package io.quiver.core.generation;

/** A generation under way. */
public interface Generation {

  /**
   * Stops it (the client went away): its sequence leaves the running batch at the next step and its
   * memory is freed; the sink then hears {@link TokenSink#finished} and nothing else.
   */
  void cancel();
}
