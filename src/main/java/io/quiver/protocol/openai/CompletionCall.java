package io.quiver.protocol.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceObserver.Outcome;
import io.quiver.core.Trace;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.TokenLogprob;
import io.quiver.core.generation.TokenSink;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One completion or chat completion request with its choices (one generation each): streamed as
 * Server-Sent Events as the text comes, or answered as one body when every choice has finished.
 * Generations report from the model's thread; writes go to the response on its own I/O context.
 */
final class CompletionCall {
  /** Which OpenAI route this is: it decides every object name and field. */
  enum Kind {
    COMPLETION("cmpl-", "text_completion", "text_completion"),
    CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk");

    final String idPrefix;
    final String object;
    final String chunkObject;

    Kind(String idPrefix, String object, String chunkObject) {
      this.idPrefix = idPrefix;
      this.object = object;
      this.chunkObject = chunkObject;
    }
  }

  private final Kind kind;
  private final ObjectMapper json;
  private final String id;
  private final String model;
  private final long created = System.currentTimeMillis() / 1000;
  private final boolean stream;
  private final boolean includeUsage;
  private final boolean logprobs;
  private final Context io;
  private final HttpServerResponse response;
  private final Consumer<Object> answer;
  private final Trace trace;
  private final List<Choice> choices = new ArrayList<>();
  private final List<Generation> generations = new ArrayList<>();
  private int unfinished;
  private int promptTokens;
  private int completionTokens;
  private boolean failed;
  private boolean ended;

  /**
   * @param answer sends the whole response body (not streaming), or an error before anything was
   *     sent; called on the response's I/O context for errors
   * @param trace the call's trace (and payload log), ended once with the call
   */
  CompletionCall(
      Kind kind,
      ObjectMapper json,
      String model,
      boolean stream,
      boolean includeUsage,
      boolean logprobs,
      Context io,
      HttpServerResponse response,
      Consumer<Object> answer,
      Trace trace) {
    this.kind = kind;
    this.json = json;
    this.id = kind.idPrefix + UUID.randomUUID().toString().replace("-", "");
    this.model = model;
    this.stream = stream;
    this.includeUsage = includeUsage;
    this.logprobs = logprobs;
    this.io = io;
    this.response = response;
    this.answer = answer;
    this.trace = trace;
  }

  /**
   * A sink for the next choice.
   *
   * @param countsPrompt whether this choice's prompt tokens count in usage (the first choice of each prompt)
   * @param echo text to put before the generated text (the prompt, for completions' echo)
   */
  synchronized TokenSink choice(boolean countsPrompt, String echo) {
    Choice choice = new Choice(choices.size(), countsPrompt, echo);
    choices.add(choice);
    unfinished++;
    return choice;
  }

  synchronized void started(Generation generation) {
    generations.add(generation);
  }

  /** Stops every choice's generation: the client is gone. */
  synchronized void cancel() {
    generations.forEach(Generation::cancel);
    end(new InferenceException.Unavailable("The client went away."));
  }

  /** Ends the call's trace, once: null for an answer sent in full. */
  private synchronized void end(Throwable failure) {
    if (ended) {
      return;
    }
    ended = true;
    Outcome outcome = Outcome.SUCCESS;
    if (failure != null) {
      int status = OpenAiErrors.status(failure);
      outcome = status == 503 ? Outcome.REJECTED : status < 500 ? Outcome.CLIENT_ERROR : Outcome.SERVER_ERROR;
    }
    trace.end(model, null, outcome, failure);
  }

  /** Sends one event; the stream's head goes out with the first. */
  private synchronized void event(Object value) {
    if (!failed) {
      send(Buffer.buffer(("data: " + write(value) + "\n\n").getBytes(StandardCharsets.UTF_8)), false);
    }
  }

  private void send(Buffer buffer, boolean end) {
    io.runOnContext(
        ignored -> {
          if (response.closed() || response.ended()) {
            return;
          }
          openStream();
          if (end) {
            response.end(buffer);
          } else {
            response.write(buffer);
          }
        });
  }

  private void openStream() {
    if (!response.headWritten()) {
      response.setStatusCode(200);
      response.putHeader("Content-Type", "text/event-stream");
      response.putHeader("Cache-Control", "no-cache");
      response.setChunked(true);
    }
  }

  /**
   * Ends the call with an error: before anything was sent, as an error response with its status;
   * once streaming, as a last error event. The choices' generations are stopped.
   */
  synchronized void refuse(Throwable error) {
    if (failed) {
      return;
    }
    failed = true;
    generations.forEach(Generation::cancel);
    end(error);
    io.runOnContext(
        ignored -> {
          if (response.closed() || response.ended()) {
            return;
          }
          if (response.headWritten()) {
            response.end(Buffer.buffer(("data: " + write(OpenAiErrors.body(error)) + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8)));
          } else {
            answer.accept(error);
          }
        });
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode envelope(String object) {
    ObjectNode node = json.createObjectNode();
    node.put("id", id);
    node.put("object", object);
    node.put("created", created);
    node.put("model", model);
    return node;
  }

  private ObjectNode usage() {
    ObjectNode usage = json.createObjectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return usage;
  }

  private synchronized void choiceFinished(Choice choice, int prompt, int completion) {
    if (choice.countsPrompt) {
      promptTokens += prompt;
    }
    completionTokens += completion;
    if (--unfinished > 0 || failed) {
      return;
    }
    if (stream) {
      if (includeUsage) {
        ObjectNode last = envelope(kind.chunkObject);
        last.putArray("choices");
        last.set("usage", usage());
        event(last);
      }
      send(Buffer.buffer("data: [DONE]\n\n"), true);
    } else {
      ObjectNode body = envelope(kind.object);
      ArrayNode list = body.putArray("choices");
      choices.forEach(c -> list.add(c.whole()));
      body.set("usage", usage());
      answer.accept(body);
    }
    end(null);
  }

  /** One choice: its text so far, and its log-probabilities when asked for. */
  private final class Choice implements TokenSink {
    private final int index;
    private final boolean countsPrompt;
    private final StringBuilder text = new StringBuilder();
    private final List<TokenLogprob> tokens = new ArrayList<>();
    private FinishReason reason;
    private boolean opened;

    Choice(int index, boolean countsPrompt, String echo) {
      this.index = index;
      this.countsPrompt = countsPrompt;
      text.append(echo);
    }

    @Override
    public void text(String delta, List<TokenLogprob> logprobs) {
      if (!stream) {
        text.append(delta);
        tokens.addAll(logprobs);
        return;
      }
      if (kind == Kind.CHAT && !opened) {
        opened = true;
        ObjectNode role = json.createObjectNode().put("role", "assistant").put("content", "");
        event(chunk(role, null, null));
      }
      String content = opened || kind == Kind.CHAT ? delta : text + delta;
      opened = true;
      event(chunk(deltaNode(content), logprobs, null));
    }

    @Override
    public void finished(FinishReason finishReason, int promptTokens, int completionTokens) {
      reason = finishReason;
      if (stream) {
        if (!opened && kind == Kind.COMPLETION && !text.isEmpty()) {
          event(chunk(deltaNode(text.toString()), List.of(), null));
        }
        event(chunk(kind == Kind.CHAT ? json.createObjectNode() : deltaNode(""), null, finishReason));
      }
      choiceFinished(this, promptTokens, completionTokens);
    }

    @Override
    public void failed(InferenceException error) {
      refuse(error);
    }

    private ObjectNode deltaNode(String content) {
      return kind == Kind.CHAT ? json.createObjectNode().put("content", content) : json.createObjectNode().put("text", content);
    }

    private ObjectNode chunk(ObjectNode delta, List<TokenLogprob> logprobs, FinishReason finishReason) {
      ObjectNode chunk = envelope(kind.chunkObject);
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", index);
      if (kind == Kind.CHAT) {
        choice.set("delta", delta);
      } else {
        choice.setAll(delta);
      }
      choice.set("logprobs", logprobs == null || !CompletionCall.this.logprobs ? null : logprobsNode(logprobs));
      choice.put("finish_reason", finishReason == null ? null : finishReason.openAiName());
      if (includeUsage) {
        chunk.putNull("usage");
      }
      return chunk;
    }

    ObjectNode whole() {
      ObjectNode choice = json.createObjectNode();
      choice.put("index", index);
      if (kind == Kind.CHAT) {
        choice.set("message", json.createObjectNode().put("role", "assistant").put("content", text.toString()));
      } else {
        choice.put("text", text.toString());
      }
      choice.set("logprobs", logprobs ? logprobsNode(tokens) : null);
      choice.put("finish_reason", reason.openAiName());
      return choice;
    }

    /** Chat's {@code {"content": [{token, logprob, bytes, top_logprobs}]}}, or completions' parallel lists. */
    private ObjectNode logprobsNode(List<TokenLogprob> logprobs) {
      ObjectNode node = json.createObjectNode();
      if (kind == Kind.CHAT) {
        ArrayNode content = node.putArray("content");
        for (TokenLogprob token : logprobs) {
          ObjectNode entry = tokenNode(token.token(), token.logprob());
          ArrayNode top = entry.putArray("top_logprobs");
          token.top().forEach(alternative -> top.add(tokenNode(alternative.token(), alternative.logprob())));
          content.add(entry);
        }
        return node;
      }
      ArrayNode texts = node.putArray("tokens");
      ArrayNode values = node.putArray("token_logprobs");
      ArrayNode top = node.putArray("top_logprobs");
      for (TokenLogprob token : logprobs) {
        texts.add(token.token());
        values.add(token.logprob());
        ObjectNode alternatives = top.addObject();
        token.top().forEach(alternative -> alternatives.put(alternative.token(), alternative.logprob()));
      }
      return node;
    }

    private ObjectNode tokenNode(String token, double logprob) {
      ObjectNode node = json.createObjectNode().put("token", token).put("logprob", logprob);
      ArrayNode bytes = node.putArray("bytes");
      for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
        bytes.add(b & 0xff);
      }
      return node;
    }
  }
}
