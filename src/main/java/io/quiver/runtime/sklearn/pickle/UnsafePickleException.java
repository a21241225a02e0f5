package io.quiver.runtime.sklearn.pickle;

import net.razorvine.pickle.PickleException;

/** A pickle that refers to a class outside the allow-list: it is not loaded. */
public final class UnsafePickleException extends PickleException {
  UnsafePickleException(String message) {
    super(message);
  }
}
