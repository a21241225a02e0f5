package io.quiver.core.registry;

/** Where a model version is in its life (the states Triton's repository index reports). */
public enum ModelState {
  /** Known in the repository, not loaded (never loaded, or unloaded). */
  UNAVAILABLE,
  LOADING,
  READY,
  /** Its load failed; the reason says why. */
  FAILED
}
