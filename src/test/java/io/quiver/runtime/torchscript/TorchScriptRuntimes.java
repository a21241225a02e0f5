package io.quiver.runtime.torchscript;

import java.util.Optional;

/** The TorchScript runtime for code that uses it outside the server. */
public final class TorchScriptRuntimes {
  private TorchScriptRuntimes() {}

  /** A runtime with libtorch in its default private folder. */
  public static TorchScriptRuntime standalone() {
    return new TorchScriptRuntime(Optional.empty());
  }
}
