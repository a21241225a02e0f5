package io.quiver.runtime.huggingface;

import io.quiver.core.generation.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one sequence's generated tokens into text as they come. Tokens are decoded in a sliding
 * window (the last complete piece and the new tokens), so a token that only completes a character
 * or a word together with later ones shows up when it does. Text that could still become a stop
 * string is held back until it is known not to; a stop string ends the text before it.
 */
final class TextStream {
  private static final char REPLACEMENT = '\uFFFD';

  private final TextTokenizer tokenizer;
  private final List<String> stops;
  private final int longestStop;
  private final List<Long> tokens = new ArrayList<>();
  private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
  private final StringBuilder text = new StringBuilder();
  /** Where the window of tokens decoded together starts, and where its settled part ends. */
  private int prefixOffset;
  private int readOffset;
  /** How much of {@link #text} has been handed out. */
  private int emitted;
  private boolean stopped;

  TextStream(TextTokenizer tokenizer, List<String> stops) {
    this.tokenizer = tokenizer;
    this.stops = stops;
    this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
  }

  /** What a token adds: text safe to hand out now (maybe empty), and whether a stop string ended it. */
  record Piece(String text, List<TokenLogprob> logprobs, boolean stopped) {}

  Piece add(long token, TokenLogprob logprob) {
    tokens.add(token);
    if (logprob != null) {
      pendingLogprobs.add(logprob);
    }
    String settled = decode(prefixOffset, readOffset);
    String window = decode(prefixOffset, tokens.size());
    if (window.length() > settled.length() && window.charAt(window.length() - 1) != REPLACEMENT) {
      text.append(window, settled.length(), window.length());
      prefixOffset = readOffset;
      readOffset = tokens.size();
    }
    return release(false);
  }

  /** The rest of the text at the end of the generation: nothing is held back any more. */
  Piece finish() {
    if (!stopped && readOffset < tokens.size()) {
      String settled = decode(prefixOffset, readOffset);
      String window = decode(prefixOffset, tokens.size());
      if (window.length() > settled.length()) {
        text.append(window, settled.length(), window.length());
      }
      readOffset = tokens.size();
    }
    return release(true);
  }

  private Piece release(boolean all) {
    if (stopped) {
      return new Piece("", List.of(), true);
    }
    int end = text.length();
    int stopAt = firstStop();
    if (stopAt >= 0) {
      stopped = true;
      end = stopAt;
    } else if (!all) {
      end -= heldBack();
    }
    String out = end > emitted ? text.substring(emitted, end) : "";
    emitted = Math.max(emitted, end);
    List<TokenLogprob> logprobs = List.copyOf(pendingLogprobs);
    if (!out.isEmpty() || all || stopped) {
      pendingLogprobs.clear();
      return new Piece(out, logprobs, stopped);
    }
    return new Piece("", List.of(), false);
  }

  /** Where the first stop string starts in the text not yet handed out, or -1. */
  private int firstStop() {
    int from = Math.max(0, emitted - longestStop);
    int first = -1;
    for (String stop : stops) {
      int at = text.indexOf(stop, from);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first >= emitted ? first : first < 0 ? -1 : emitted;
  }

  /** How many characters at the end of the text could be the start of a stop string. */
  private int heldBack() {
    for (int length = Math.min(longestStop - 1, text.length() - emitted); length > 0; length--) {
      String tail = text.substring(text.length() - length);
      for (String stop : stops) {
        if (stop.startsWith(tail)) {
          return length;
        }
      }
    }
    return 0;
  }

  private String decode(int from, int to) {
    if (from >= to) {
      return "";
    }
    long[] ids = new long[to - from];
    for (int i = from; i < to; i++) {
      ids[i - from] = tokens.get(i);
    }
    return tokenizer.decode(ids, true);
  }
}
