package io.quiver.runtime.huggingface;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.runtime.onnx.OnnxSessions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Serves Hugging Face model folders whose weights are ONNX, as Hugging Face Optimum exports them:
 * encoders for sequence classification, token classification, fill-mask and embeddings, and
 * decoders (with past key/values) for text generation. The task comes from config.json's
 * architecture or the settings' {@code task}; texts are tokenized by the folder's tokenizer.json.
 */
@ApplicationScoped
public class HuggingFaceRuntime implements ModelRuntime {
  private static final Logger LOG = Logger.getLogger(HuggingFaceRuntime.class);
  private static final String[] WEIGHTS = {"model.onnx", "decoder_model_merged.onnx", "onnx/model.onnx", "onnx/decoder_model_merged.onnx"};
  private static final long MIB = 1024 * 1024;

  private final OnnxSessions sessions;
  private final Optional<Path> nativeDir;

  HuggingFaceRuntime(OnnxSessions sessions, @ConfigProperty(name = "quiver.tokenizers.native-dir") Optional<Path> nativeDir) {
    this.sessions = sessions;
    this.nativeDir = nativeDir;
  }

  @Override
  public String format() {
    return "huggingface";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return source.fileInside("config.json").isPresent()
        && source.fileInside("tokenizer.json").isPresent()
        && source.findFile(WEIGHTS).isPresent();
  }

  /** A Hugging Face folder holds a model.onnx that the plain ONNX runtime would also recognise. */
  @Override
  public int precedence() {
    return 1;
  }

  @Override
  public LoadedModel load(ModelSource source) throws Exception {
    TokenizerNatives.prepare(nativeDir);
    ModelFolder folder = ModelFolder.read(source);
    Task task = folder.task();
    Path weights = source.requireFile(WEIGHTS);
    LOG.infof("Hugging Face model %s: task %s", source.describe(), task.kserveName());
    return task == Task.TEXT_GENERATION ? decoder(source, folder, weights) : encoder(source, folder, task, weights);
  }

  private LoadedModel encoder(ModelSource source, ModelFolder folder, Task task, Path weights) throws IOException, OrtException {
    ModelSettings settings = source.settings();
    int maxLength = settings.intParameter("max_length").orElse(folder.maxLength());
    TextTokenizer tokenizer = TextTokenizer.read(folder.tokenizerFile(), maxLength);
    OnnxSessions.Session session = null;
    try {
      session = sessions.open(weights, source);
      long[] output = ((TensorInfo) session.session().getOutputInfo().values().iterator().next().getInfo()).getShape();
      long width = output[output.length - 1];
      if (width <= 0) {
        throw new IllegalArgumentException("the ONNX model's first output must have a fixed last dimension, got %d".formatted(width));
      }
      return switch (task) {
        case SEQUENCE_CLASSIFICATION ->
            new EncoderModel(
                session,
                tokenizer,
                new EncoderHead.SequenceClassification((int) width, Boolean.parseBoolean(settings.parameter("return_probabilities").orElse("false"))));
        case TOKEN_CLASSIFICATION -> new EncoderModel(session, tokenizer, new EncoderHead.TokenClassification());
        case FILL_MASK -> new EncoderModel(session, tokenizer, new EncoderHead.FillMask(tokenizer, maskId(tokenizer, folder)));
        case TEXT_EMBEDDING ->
            new EmbeddingModel(session, tokenizer, new EncoderHead.Embedding((int) width, folder.pooling(), folder.normalizes()));
        case TEXT_GENERATION -> throw new IllegalStateException("a decoder is not an encoder");
      };
    } catch (IOException | OrtException | RuntimeException e) {
      if (session != null) {
        session.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  private static long maskId(TextTokenizer tokenizer, ModelFolder folder) {
    String mask = folder.specialToken("mask_token");
    long id = tokenizer.tokenId(mask.isEmpty() ? "[MASK]" : mask);
    if (id < 0) {
      throw new IllegalArgumentException("the tokenizer has no mask token (tokenizer_config.json's mask_token, or [MASK])");
    }
    return id;
  }

  private LoadedModel decoder(ModelSource source, ModelFolder folder, Path weights) throws IOException, OrtException {
    ModelSettings settings = source.settings();
    TextTokenizer tokenizer = TextTokenizer.read(folder.tokenizerFile(), 0);
    DecoderGraph graph = null;
    try {
      // One step runs at a time: it may use every core.
      graph = new DecoderGraph(sessions.open(weights, source.alone()));
      if (folder.endOfSequenceIds().isEmpty()) {
        throw new IllegalArgumentException("neither generation_config.json nor config.json names an eos_token_id");
      }
      long cacheBytes = settings.intParameter("kv_cache_mb").orElse(1024) * MIB;
      GenerationEngine.Limits limits =
          new GenerationEngine.Limits(
              settings.intParameter("max_num_seqs").orElse(32),
              settings.queueSize(256),
              cacheBytes / ((long) graph.floatsPerPosition() * Float.BYTES),
              settings.intParameter("max_prefill_tokens").orElse(2048));
      ChatTemplate template =
          ChatTemplate.of(
              settings.parameter("chat_template").or(folder::chatTemplate), folder.specialToken("bos_token"), folder.specialToken("eos_token"));
      template
          .unusable(source.name())
          .ifPresent(reason -> LOG.warnf("Hugging Face model %s answers no chats: %s", source.describe(), reason));
      int context = folder.maxLength();
      LOG.infof(
          "Hugging Face model %s generates with up to %d sequences at once, %d cache positions, a context of %d tokens",
          source.describe(), limits.maxRunning(), limits.cachePositions(), context);
      return new DecoderModel(
          source.name(),
          tokenizer,
          new GenerationEngine(graph, limits, source.name()),
          template,
          folder.endOfSequenceIds(),
          graph.vocabulary(),
          context);
    } catch (OrtException | RuntimeException e) {
      if (graph != null) {
        graph.close();
      }
      tokenizer.close();
      throw e;
    }
  }
}
