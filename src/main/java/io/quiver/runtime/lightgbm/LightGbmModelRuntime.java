package io.quiver.runtime.lightgbm;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves LightGBM models in LightGBM's text format ({@code model.txt}, or {@code model.bst} as
 * KServe names them), evaluated by Quiver's own Java code: exact to LightGBM's double arithmetic,
 * with no native library. {@code model.bst} is also XGBoost's name, so the content decides.
 */
@ApplicationScoped
public class LightGbmModelRuntime implements ModelRuntime {
  private static final String[] FILES = {"model.txt", "model.bst"};

  @Override
  public String format() {
    return "lightgbm";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILES).map(LightGbmModelRuntime::looksLikeLightGbm).orElse(false);
  }

  private static boolean looksLikeLightGbm(Path file) {
    String head = new String(ModelSource.head(file, 64), StandardCharsets.ISO_8859_1);
    return head.startsWith("tree\n") || head.startsWith("tree\r\n");
  }

  @Override
  public LoadedModel load(ModelSource source) throws IOException {
    Path file = source.requireFile(FILES);
    return new LightGbmModel(new LightGbmBooster(Files.readString(file, StandardCharsets.ISO_8859_1)));
  }
}
