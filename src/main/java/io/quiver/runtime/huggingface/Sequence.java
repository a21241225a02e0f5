package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.Sampling;
import io.quiver.core.generation.TokenLogprob;
import io.quiver.core.generation.TokenSink;
import java.nio.FloatBuffer;
import java.util.Set;

/** One request's generation: its tokens, cache, sampler, text and where its output goes. */
final class Sequence implements Generation {
  private final long[] prompt;
  private final Sampling sampling;
  private final TokenSink sink;
  private final TextTokenizer tokenizer;
  private final Sampler sampler;
  private final TextStream text;
  private final Set<Long> endOfSequence;
  /** The most tokens this sequence may generate: its max_tokens, or what the context leaves. */
  private final int tokenLimit;
  private volatile boolean cancelled;
  private KvCache cache;
  private long lastToken = -1;
  private int generated;

  Sequence(long[] prompt, Sampling sampling, TokenSink sink, TextTokenizer tokenizer, int vocabulary, Set<Long> endOfSequence, int context) {
    this.prompt = prompt;
    this.sampling = sampling;
    this.sink = sink;
    this.tokenizer = tokenizer;
    this.sampler = new Sampler(sampling, vocabulary);
    this.text = new TextStream(tokenizer, sampling.stop());
    this.endOfSequence = endOfSequence;
    this.tokenLimit = Math.min(sampling.maxTokens(), context - prompt.length);
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  /** Cache positions this sequence may need at most: its prompt and every token it may generate. */
  int reservation() {
    return prompt.length + tokenLimit;
  }

  int promptLength() {
    return prompt.length;
  }

  void start(KvCache newCache) {
    this.cache = newCache;
  }

  /** The row this sequence adds to the next step: its prompt first, then its last token. */
  DecoderGraph.Row row() {
    return new DecoderGraph.Row(cache, cache.length() == 0 ? prompt : new long[] {lastToken});
  }

  /**
   * Takes the next token from this sequence's logits ({@code logits} from {@code from}) and hands
   * out the text it completes.
   *
   * @return whether the sequence is done (its sink told so)
   */
  boolean advance(FloatBuffer logits, int from) {
    int token = sampler.next(logits, from);
    lastToken = token;
    generated++;
    if (!sampling.ignoreEos() && endOfSequence.contains((long) token)) {
      return finish(FinishReason.STOP);
    }
    TokenLogprob logprob = sampling.logprobs() >= 0 ? Logprobs.of(sampler.lastLogits(), token, sampling.logprobs(), tokenizer) : null;
    TextStream.Piece piece = text.add(token, logprob);
    if (!piece.text().isEmpty()) {
      sink.text(piece.text(), piece.logprobs());
    }
    if (piece.stopped()) {
      return finish(FinishReason.STOP);
    }
    return generated >= tokenLimit && finish(FinishReason.LENGTH);
  }

  private boolean finish(FinishReason reason) {
    TextStream.Piece rest = text.finish();
    if (!rest.text().isEmpty() || !rest.logprobs().isEmpty()) {
      sink.text(rest.text(), rest.logprobs());
    }
    sink.finished(rest.stopped() ? FinishReason.STOP : reason, prompt.length, generated);
    return true;
  }

  /** Ends a sequence the client gave up on, without more text. */
  void dropCancelled() {
    sink.finished(FinishReason.STOP, prompt.length, generated);
  }

  void fail(InferenceException error) {
    sink.failed(error);
  }
}
