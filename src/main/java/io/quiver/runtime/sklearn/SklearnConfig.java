package io.quiver.runtime.sklearn;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** scikit-learn settings under {@code quiver.sklearn.*}. */
@ConfigMapping(prefix = "quiver.sklearn")
public interface SklearnConfig {

  /**
   * Whether {@code output-0} (and v1 {@code predictions}) answers {@code predict_proba} instead of
   * {@code predict} for classifiers that have it: KServe's {@code PREDICT_PROBA} switch, which sets
   * it too. Per model: parameter {@code predict_proba}.
   */
  @WithDefault("false")
  boolean predictProba();
}
