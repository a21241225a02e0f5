package io.quiver.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.spi.TensorSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** Serves {@code model.onnx} files through ONNX Runtime, on the CPU or a CUDA GPU. */
@ApplicationScoped
public class OnnxModelRuntime implements ModelRuntime {
  private static final Logger LOG = Logger.getLogger(OnnxModelRuntime.class);
  static final String PLATFORM = "onnxruntime_onnx";
  private static final String FILE = "model.onnx";

  private final OnnxSessions sessions;

  OnnxModelRuntime(OnnxSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public String format() {
    return "onnx";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.findFile(FILE).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) throws OrtException {
    OnnxSessions.Session session = sessions.open(source.requireFile(FILE), source);
    try {
      return new OnnxModel(session, metadata(session.session()));
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static ModelMetadata metadata(OrtSession session) throws OrtException {
    List<TensorSpec> inputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
      if (!(input.getValue().getInfo() instanceof TensorInfo info)) {
        throw new IllegalArgumentException(
            "input '%s' is not a tensor (%s); only tensor inputs can be served"
                .formatted(input.getKey(), input.getValue().getInfo()));
      }
      inputs.add(spec(input.getKey(), info));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> output : session.getOutputInfo().entrySet()) {
      if (output.getValue().getInfo() instanceof TensorInfo info) {
        outputs.add(spec(output.getKey(), info));
      } else {
        LOG.warnf(
            "Output '%s' is not a tensor (%s); it is not served", output.getKey(), output.getValue().getInfo());
      }
    }
    return new ModelMetadata(PLATFORM, inputs, outputs);
  }

  private static TensorSpec spec(String name, TensorInfo info) {
    return TensorSpec.of(name, OnnxTypes.datatype(info.onnxType, name), info.getShape());
  }
}
