package io.quiver.runtime.tensorflow;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelMetadata.Signature;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.ConfigProto;

/**
 * Serves TensorFlow SavedModels ({@code saved_model.pb} and {@code variables/}, in TF Serving's
 * {@code <name>/<version>/} layout, or Triton's {@code model.savedmodel} folder) through TensorFlow
 * for Java. Every signature of the {@code serve} tag set is served: the default one
 * ({@code serving_default}) as the model's inputs and outputs, the others by name.
 */
@ApplicationScoped
public class TensorFlowRuntime implements ModelRuntime {
  static final String PLATFORM = "tensorflow_savedmodel";
  private static final String GRAPH = "saved_model.pb";
  private static final String TRITON_FOLDER = "model.savedmodel";
  private static final String TAG = "serve";

  private final Optional<Path> nativeDir;

  TensorFlowRuntime(@ConfigProperty(name = "quiver.tensorflow.native-dir") Optional<Path> nativeDir) {
    this.nativeDir = nativeDir;
  }

  @Override
  public String format() {
    return "tensorflow";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return savedModel(source).isPresent();
  }

  @Override
  public LoadedModel load(ModelSource source) {
    Path graph =
        savedModel(source)
            .orElseThrow(() -> new IllegalArgumentException("no " + GRAPH + " in the model folder (nor in " + TRITON_FOLDER + "/)"));
    TensorFlowNatives.prepare(nativeDir);
    int threads = source.threadsPerCall();
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads).build();
    SavedModelBundle bundle = SavedModelBundle.loader(graph.getParent().toString()).withTags(TAG).withConfigProto(config).load();
    try {
      Map<String, Signature> signatures = signatures(bundle);
      String defaultSignature =
          signatures.containsKey(ModelMetadata.DEFAULT_SIGNATURE) ? ModelMetadata.DEFAULT_SIGNATURE : signatures.keySet().iterator().next();
      Signature main = signatures.get(defaultSignature);
      return new TensorFlowModel(bundle, new ModelMetadata(PLATFORM, main.inputs(), main.outputs(), false, signatures), defaultSignature);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** The SavedModel's graph file: the one the settings name (or the folder they name), else the conventional places. */
  private static Optional<Path> savedModel(ModelSource source) {
    String named = source.settings().file();
    List<String> candidates = named == null ? List.of(GRAPH, TRITON_FOLDER + "/" + GRAPH) : List.of(named + "/" + GRAPH, named);
    return candidates.stream()
        .flatMap(candidate -> source.fileInside(candidate).stream())
        .filter(file -> file.getFileName().toString().equals(GRAPH))
        .findFirst();
  }

  /** Every signature, by name, with its tensors in name order. */
  private static Map<String, Signature> signatures(SavedModelBundle bundle) {
    Map<String, Signature> signatures = new TreeMap<>();
    for (org.tensorflow.Signature signature : bundle.signatures()) {
      signatures.put(
          signature.key(),
          new Signature(signature.methodName(), specs(signature.key(), signature.getInputs()), specs(signature.key(), signature.getOutputs())));
    }
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("the SavedModel's '" + TAG + "' graph has no signatures to serve");
    }
    return signatures;
  }

  private static List<TensorSpec> specs(String signature, Map<String, org.tensorflow.Signature.TensorDescription> tensors) {
    List<TensorSpec> specs = new ArrayList<>();
    for (var entry : new TreeMap<>(tensors).entrySet()) {
      var tensor = entry.getValue();
      DataType datatype = TensorFlowTypes.protocol(tensor.dataType);
      if (datatype == null) {
        throw new IllegalArgumentException(
            "tensor '%s' of signature '%s' is %s, which TensorFlow for Java cannot pass".formatted(entry.getKey(), signature, tensor.dataType));
      }
      if (tensor.shape.isUnknown()) {
        throw new IllegalArgumentException(
            "tensor '%s' of signature '%s' has no known rank: give its placeholder a shape (dims may be None)".formatted(entry.getKey(), signature));
      }
      specs.add(new TensorSpec(entry.getKey(), datatype, tensor.shape.asArray(), TensorSpec.Accepts.EXACTLY));
    }
    return specs;
  }
}
