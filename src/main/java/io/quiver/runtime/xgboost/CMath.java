package io.quiver.runtime.xgboost;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The C library's single-precision {@code expf} and {@code logf}, which XGBoost's own objective
 * transforms call. Java has no float exponential, and {@code (float) Math.exp(x)} may round the
 * other way than the C library where the result lies close to halfway between two floats; calling
 * the same function XGBoost calls gives the same bits.
 */
final class CMath {
  private static final MethodHandle EXPF = function("expf");
  private static final MethodHandle LOGF = function("logf");

  private CMath() {}

  private static MethodHandle function(String name) {
    Linker linker = Linker.nativeLinker();
    return linker.downcallHandle(
        linker.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in the C library")),
        FunctionDescriptor.of(JAVA_FLOAT, JAVA_FLOAT),
        Linker.Option.critical(false));
  }

  static float expf(float x) {
    try {
      return (float) EXPF.invokeExact(x);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  static float logf(float x) {
    try {
      return (float) LOGF.invokeExact(x);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
