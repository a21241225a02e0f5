package io.quiver.runtime.xgboost;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.jboss.logging.Logger;

/**
 * Serves XGBoost boosters saved as JSON ({@code model.json}), UBJSON ({@code model.ubj}) or the
 * legacy binary format ({@code model.bst}, which KServe's own examples use). {@code model.bst} is
 * also LightGBM's file name in KServe, so the content decides, not the name.
 */
@ApplicationScoped
public class XGBoostModelRuntime implements ModelRuntime {
  private static final String[] FILES = {"model.json", "model.ubj", "model.bst"};
  private static final Logger LOG = Logger.getLogger(XGBoostModelRuntime.class);
  private static final Pattern LOG_PREFIX = Pattern.compile("^\\[[0-9:]+\\] \\S+:[0-9]+: ");

  @Override
  public String format() {
    return "xgboost";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILES).map(XGBoostModelRuntime::looksLikeXGBoost).orElse(false);
  }

  private static boolean looksLikeXGBoost(Path file) {
    String head = new String(ModelSource.head(file, 512), StandardCharsets.ISO_8859_1);
    if (file.getFileName().toString().endsWith(".bst")) {
      // Legacy binary models start with "binf"; LightGBM's text models with "tree".
      return !head.startsWith("tree");
    }
    return head.contains("learner");
  }

  @Override
  public LoadedModel load(ModelSource source) throws XGBoostError {
    Path file = source.requireFile(FILES);
    Booster booster;
    try {
      booster = XGBoost.loadModel(file.toString());
    } catch (XGBoostError e) {
      throw new IllegalArgumentException(withoutLogPrefix(e.getMessage()), e);
    }
    try {
      int threads = source.settings().intParameter("nthread").orElse(source.threadsPerCall());
      booster.setParam("nthread", threads);
      return new XGBoostModel(source.describe(), booster, treesOf(source, booster));
    } catch (XGBoostError | RuntimeException e) {
      booster.dispose();
      throw e;
    }
  }

  /** The booster's trees for Quiver's evaluator, or null where it does not support the model. */
  private static XGBoostTrees treesOf(ModelSource source, Booster booster) throws XGBoostError {
    try {
      return XGBoostTrees.read(booster.toByteArray("json"));
    } catch (IllegalArgumentException | IOException e) {
      LOG.infof(
          "Model %s: XGBoost's predictor answers every request (Quiver's tree evaluator does not support %s)",
          source.describe(), e.getMessage());
      return null;
    }
  }

  /** XGBoost's message without its log prefix ({@code [12:00:00] /workspace/src/x.cc:397: }). */
  static String withoutLogPrefix(String message) {
    return message == null ? "XGBoost could not read the model" : LOG_PREFIX.matcher(message).replaceFirst("");
  }
}
