package io.quiver.runtime.custom;

import io.quiver.core.spi.CustomModel;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;

/**
 * Serves models written in Java: beans implementing {@link CustomModel}, chosen by the class name a
 * model folder's settings give as {@code implementation}.
 */
@ApplicationScoped
public class CustomModelRuntime implements ModelRuntime {
  private final Instance<CustomModel> models;

  CustomModelRuntime(Instance<CustomModel> models) {
    this.models = models;
  }

  @Override
  public String format() {
    return "custom";
  }

  /** Custom models are never guessed from files: their settings name them. */
  @Override
  public boolean recognises(ModelSource source) {
    return false;
  }

  @Override
  public LoadedModel load(ModelSource source) throws Exception {
    String implementation = source.settings().implementation();
    if (implementation == null) {
      throw new IllegalArgumentException(
          "a custom model needs \"implementation\": \"<class name>\" in model-settings.json");
    }
    Instance.Handle<CustomModel> handle =
        models.handlesStream()
            .filter(candidate -> matches(candidate.getBean().getBeanClass(), implementation))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no custom model class %s on the class path (custom models here: %s)"
                            .formatted(implementation, available())));
    CustomModel model = handle.get();
    try {
      model.load(source);
      return new CustomLoadedModel(model, handle);
    } catch (Exception | LinkageError e) {
      handle.destroy();
      throw e;
    }
  }

  private static boolean matches(Class<?> beanClass, String implementation) {
    return beanClass.getName().equals(implementation) || beanClass.getSimpleName().equals(implementation);
  }

  private List<String> available() {
    return models.handlesStream().map(h -> h.getBean().getBeanClass().getName()).sorted().toList();
  }
}
