package io.quiver.runtime.huggingface;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.runtime.onnx.OnnxSessions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only language model exported to ONNX with its key/value cache as inputs and outputs,
 * in Hugging Face Optimum's names: {@code input_ids}, {@code attention_mask}, {@code position_ids},
 * {@code past_key_values.<layer>.key|value} {@code [batch, heads, past, head size]} in, {@code
 * logits} and {@code present.<layer>.key|value} out.
 *
 * <p>One {@link #step} runs any rows together, each with its own cache length and its own number
 * of new tokens: caches are left-padded to the longest, new tokens too, the attention mask is 0 on
 * padding and position ids carry each token's true position, so a row's results equal its own run
 * alone. Inputs and outputs live in direct buffers this graph owns and reuses (ONNX Runtime reads
 * and writes them in place); it is used by one thread at a time.
 *
 * <p>While the same sequences decode step after step, a step's present key/value outputs already
 * are the next step's past inputs, row for row and padding included: they are passed back as they
 * are, and the caches are gathered from each sequence's own copy only when the batch changes.
 */
final class DecoderGraph implements AutoCloseable {
  private final OnnxSessions.Session session;
  private final int layers;
  private final int heads;
  private final int headSize;
  private final int vocabulary;
  private final boolean positionIds;
  private final List<String> pastNames = new ArrayList<>();
  private final List<String> presentNames = new ArrayList<>();
  private final Map<String, FloatBuffer> scratch = new HashMap<>();
  /** The rows' caches of the last step, in order, while its present outputs are still at hand. */
  private List<KvCache> lastRows = List.of();
  private LongBuffer ids = LongBuffer.allocate(0);
  private LongBuffer mask = LongBuffer.allocate(0);
  private LongBuffer positions = LongBuffer.allocate(0);

  DecoderGraph(OnnxSessions.Session session) throws OrtException {
    this.session = session;
    Map<String, NodeInfo> inputs = session.session().getInputInfo();
    Map<String, NodeInfo> outputs = session.session().getOutputInfo();
    for (String required : List.of("input_ids", "attention_mask", "past_key_values.0.key")) {
      if (!inputs.containsKey(required)) {
        throw new IllegalArgumentException(
            "the ONNX decoder has no input %s: export it with past key/values (Hugging Face Optimum's text-generation-with-past), inputs are %s"
                .formatted(required, inputs.keySet()));
      }
    }
    if (inputs.containsKey("use_cache_branch")) {
      throw new IllegalArgumentException(
          "the ONNX decoder is a merged one with a use_cache_branch input, which Quiver does not drive; export it as a single decoder with past key/values (model.onnx)");
    }
    int layer = 0;
    while (inputs.containsKey("past_key_values.%d.key".formatted(layer))) {
      for (String kind : List.of("key", "value")) {
        pastNames.add("past_key_values.%d.%s".formatted(layer, kind));
        String present = "present.%d.%s".formatted(layer, kind);
        if (!outputs.containsKey(present)) {
          throw new IllegalArgumentException("the ONNX decoder has no output " + present);
        }
        presentNames.add(present);
      }
      layer++;
    }
    this.layers = layer;
    TensorInfo cache = (TensorInfo) inputs.get("past_key_values.0.key").getInfo();
    if (cache.type != OnnxJavaType.FLOAT) {
      throw new IllegalArgumentException("the ONNX decoder's key/value cache is %s; Quiver keeps float32 caches".formatted(cache.type));
    }
    long[] cacheShape = cache.getShape();
    long[] logitsShape = ((TensorInfo) outputs.get("logits").getInfo()).getShape();
    if (cacheShape.length != 4 || cacheShape[1] <= 0 || cacheShape[3] <= 0 || logitsShape[2] <= 0) {
      throw new IllegalArgumentException(
          "the ONNX decoder's cache must be [batch, heads, past, head size] with fixed heads and head size, and its logits [batch, sequence, vocabulary]");
    }
    this.heads = Math.toIntExact(cacheShape[1]);
    this.headSize = Math.toIntExact(cacheShape[3]);
    this.vocabulary = Math.toIntExact(logitsShape[2]);
    this.positionIds = inputs.containsKey("position_ids");
  }

  int vocabulary() {
    return vocabulary;
  }

  /** Floats one cache position takes across layers, keys and values. */
  int floatsPerPosition() {
    return 2 * layers * heads * headSize;
  }

  KvCache newCache(int capacity) {
    return new KvCache(layers, heads, headSize, capacity);
  }

  /** One row of a step: a sequence's cache and the tokens it adds. */
  record Row(KvCache cache, long[] tokens) {}

  /**
   * Runs the rows' new tokens through the model, appends their keys and values to each row's cache,
   * and returns each row's logits for the token after its last one, {@code [rows * vocabulary]},
   * valid until the next step.
   */
  FloatBuffer step(List<Row> rows) throws OrtException {
    int batch = rows.size();
    int past = 0;
    int fresh = 0;
    for (Row row : rows) {
      past = Math.max(past, row.cache().length());
      fresh = Math.max(fresh, row.tokens().length);
    }
    int total = past + fresh;
    fillTokenInputs(rows, past, fresh);
    int pastFloats = batch * heads * past * headSize;
    int presentFloats = batch * heads * total * headSize;
    boolean continues = fresh == 1 && sameRows(rows);
    var env = session.environment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    Map<String, OnnxTensor> outputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, ids, new long[] {batch, fresh}));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, mask, new long[] {batch, total}));
      if (positionIds) {
        inputs.put("position_ids", OnnxTensor.createTensor(env, positions, new long[] {batch, fresh}));
      }
      for (int i = 0; i < pastNames.size(); i++) {
        FloatBuffer buffer;
        if (continues) {
          // last step's present is this step's past; its past buffer takes this step's present
          buffer = scratch.put(presentNames.get(i), scratch.get(pastNames.get(i)));
          scratch.put(pastNames.get(i), buffer);
          buffer.clear().limit(pastFloats);
        } else {
          buffer = buffer(pastNames.get(i), pastFloats);
          for (int b = 0; b < batch; b++) {
            rows.get(b).cache().copyInto(buffer, i / 2, i % 2 == 0, b, past);
          }
        }
        inputs.put(pastNames.get(i), OnnxTensor.createTensor(env, buffer, new long[] {batch, heads, past, headSize}));
        outputs.put(presentNames.get(i), OnnxTensor.createTensor(env, buffer(presentNames.get(i), presentFloats), new long[] {batch, heads, total, headSize}));
      }
      FloatBuffer logits = buffer("logits", batch * fresh * vocabulary);
      outputs.put("logits", OnnxTensor.createTensor(env, logits, new long[] {batch, fresh, vocabulary}));
      session.session().run(inputs, outputs).close();
      for (int i = 0; i < presentNames.size(); i++) {
        FloatBuffer present = scratch.get(presentNames.get(i));
        for (int b = 0; b < batch; b++) {
          Row row = rows.get(b);
          row.cache().append(present, i / 2, i % 2 == 0, b, total, row.tokens().length);
        }
      }
      for (Row row : rows) {
        row.cache().advance(row.tokens().length);
      }
      lastRows = rows.stream().map(Row::cache).toList();
      return lastLogits(logits, batch, fresh);
    } catch (OrtException | RuntimeException e) {
      lastRows = List.of();
      throw e;
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      outputs.values().forEach(OnnxTensor::close);
    }
  }

  /** Whether these rows are exactly the last step's, in the same order. */
  private boolean sameRows(List<Row> rows) {
    if (rows.size() != lastRows.size()) {
      return false;
    }
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).cache() != lastRows.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** Input ids, mask and positions, each row's cache and new tokens left-padded. */
  private void fillTokenInputs(List<Row> rows, int past, int fresh) {
    int batch = rows.size();
    ids = ensure(ids, batch * fresh);
    positions = ensure(positions, batch * fresh);
    mask = ensure(mask, batch * (past + fresh));
    for (int b = 0; b < batch; b++) {
      Row row = rows.get(b);
      int cached = row.cache().length();
      int newTokens = row.tokens().length;
      for (int j = 0; j < past; j++) {
        mask.put(b * (past + fresh) + j, j >= past - cached ? 1 : 0);
      }
      for (int j = 0; j < fresh; j++) {
        int token = j - (fresh - newTokens);
        boolean real = token >= 0;
        ids.put(b * fresh + j, real ? row.tokens()[token] : 0);
        positions.put(b * fresh + j, real ? cached + token : 0);
        mask.put(b * (past + fresh) + past + j, real ? 1 : 0);
      }
    }
  }

  /** The logits at each row's last position (left padding puts every row's last token there). */
  private FloatBuffer lastLogits(FloatBuffer logits, int batch, int fresh) {
    if (fresh == 1) {
      return logits.duplicate().position(0).limit(batch * vocabulary).slice();
    }
    FloatBuffer last = FloatBuffer.allocate(batch * vocabulary);
    float[] row = new float[vocabulary];
    for (int b = 0; b < batch; b++) {
      logits.get(((b * fresh) + fresh - 1) * vocabulary, row, 0, vocabulary);
      last.put(b * vocabulary, row);
    }
    return last;
  }

  private FloatBuffer buffer(String name, int floats) {
    FloatBuffer buffer = scratch.get(name);
    if (buffer == null || buffer.capacity() < floats) {
      buffer = ByteBuffer.allocateDirect(Math.max(floats, buffer == null ? 0 : buffer.capacity() * 3 / 2) * Float.BYTES)
          .order(ByteOrder.nativeOrder())
          .asFloatBuffer();
      scratch.put(name, buffer);
    }
    return buffer.clear().limit(floats);
  }

  private static LongBuffer ensure(LongBuffer buffer, int longs) {
    if (buffer.capacity() < longs) {
      buffer = ByteBuffer.allocateDirect(longs * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }
    return buffer.clear().limit(longs);
  }

  @Override
  public void close() {
    session.close();
  }
}
