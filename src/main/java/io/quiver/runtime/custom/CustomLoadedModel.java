package io.quiver.runtime.custom;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.CustomModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.PerRequestModel;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.inject.Instance;
import java.util.List;

/** Runs a {@link CustomModel}'s preprocess, predict and postprocess for each request. */
final class CustomLoadedModel implements PerRequestModel {
  private final CustomModel model;
  private final Instance.Handle<CustomModel> handle;
  private final ModelMetadata metadata;

  CustomLoadedModel(CustomModel model, Instance.Handle<CustomModel> handle) {
    this.model = model;
    this.handle = handle;
    this.metadata = model.metadata();
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) throws Exception {
    InferenceRequest prepared = model.preprocess(request);
    return model.postprocess(prepared, model.predict(prepared));
  }

  @Override
  public void close() {
    try {
      model.unload();
    } finally {
      handle.destroy();
    }
  }
}
