package io.quiver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.support.ServerProcess;
import io.quiver.support.TestRepository;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Text generation and embeddings on the packaged server through OpenAI's routes. For each decoder
 * (the tiny fixture, and a 6-layer, 512-wide random-weight one), streamed completions at 1, 8 and
 * 32 concurrent streams of 64 tokens each ({@code ignore_eos}): aggregate generated tokens per
 * second and time to first token, after a warm-up, with
 * continuous batching and with the same model limited to one running sequence (requests one by
 * one). Then all-MiniLM-L6-v2 embeddings at 1 and 32 texts per request. Prints Markdown.
 *
 * <p>Run: {@code /usr/bin/python3 examples/make_huggingface_models.py --bench-decoder
 * target/benchmark-models/decoder-6x512 && ./mvnw -B -DskipTests package
 * exec:exec@generation-benchmark}.
 */
public final class GenerationBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LARGE = Path.of("target/benchmark-models/decoder-6x512");
  private static final int[] STREAMS = {1, 8, 32};
  private static final int MAX_TOKENS = 64;
  private static final String PROMPT = "Quiver serves models fast, and";

  private record Point(String model, String mode, int streams, double tokensPerSecond, double ttftP50Ms, double ttftP90Ms, long requests) {}

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    if (!Files.isRegularFile(LARGE.resolve("model.onnx"))) {
      System.err.println("Make the model first: /usr/bin/python3 examples/make_huggingface_models.py --bench-decoder " + LARGE);
      System.exit(1);
    }
    Path repository = Files.createTempDirectory("quiver-bench-generation");
    for (String model : List.of("tiny", "large")) {
      Path source = model.equals("tiny") ? Path.of("examples/models/tiny-chat") : LARGE;
      TestRepository.copyTree(source, repository.resolve(model));
      TestRepository.copyTree(source, repository.resolve(model + "-one-by-one"));
      Files.writeString(repository.resolve(model + "-one-by-one/model-settings.json"), "{\"parameters\": {\"max_num_seqs\": 1}}");
    }
    Path minilm = repository.resolve("minilm");
    Files.createDirectories(minilm);
    copyResource("/all-minilm-l6-v2-q.onnx", minilm.resolve("model.onnx"));
    copyResource("/all-minilm-l6-v2-q-tokenizer.json", minilm.resolve("tokenizer.json"));
    Files.writeString(minilm.resolve("config.json"), "{\"architectures\": [\"BertModel\"], \"max_position_embeddings\": 512}");

    List<Point> points = new ArrayList<>();
    List<String> embeddings = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_MODEL_REPOSITORY", repository.toString()))) {
      server.awaitReady(Duration.ofSeconds(180));
      URI base = URI.create("http://localhost:" + server.httpPort + "/openai/v1/");
      for (String model : List.of("tiny", "tiny-one-by-one", "large", "large-one-by-one")) {
        generate(base, "warm-up", "", model, 8, seconds / 2); // JIT and ONNX Runtime's first runs
      }
      embed(base, 32, seconds / 2);
      for (String model : List.of("tiny", "large")) {
        for (int streams : STREAMS) {
          points.add(generate(base, model, "continuous batching", model, streams, seconds));
          points.add(generate(base, model, "one by one", model + "-one-by-one", streams, seconds));
        }
      }
      for (int texts : new int[] {1, 32}) {
        embeddings.add(embed(base, texts, seconds));
      }
    }
    System.out.println("| decoder | mode | streams | tokens/s | time to first token p50 (ms) | p90 (ms) | requests |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (Point p : points) {
      System.out.printf(
          "| %s | %s | %d | %.0f | %.1f | %.1f | %d |%n", p.model(), p.mode(), p.streams(), p.tokensPerSecond(), p.ttftP50Ms(), p.ttftP90Ms(), p.requests());
    }
    System.out.println();
    System.out.println("| embeddings (all-MiniLM-L6-v2, 2 callers) | requests/s | texts/s |");
    System.out.println("|---|---:|---:|");
    embeddings.forEach(System.out::println);
  }

  /** {@code streams} callers sending streamed completions back to back for {@code seconds}. */
  private static Point generate(URI base, String label, String mode, String model, int streams, double seconds) throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "model", model, "prompt", PROMPT, "max_tokens", MAX_TOKENS, "temperature", 0, "ignore_eos", true, "stream", true,
                "stream_options", Map.of("include_usage", true)));
    HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    AtomicLong tokens = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    List<Latencies> firstTokens = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        Latencies own = new Latencies();
        firstTokens.add(own);
        running.add(
            callers.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    HttpRequest request =
                        HttpRequest.newBuilder(base.resolve("completions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    HttpResponse<java.util.stream.Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
                    boolean first = true;
                    for (String line : (Iterable<String>) response.body()::iterator) {
                      if (!line.startsWith("data: {")) {
                        continue;
                      }
                      JsonNode event = JSON.readTree(line.substring(6));
                      if (first && event.path("choices").size() > 0 && !event.at("/choices/0/text").asText().isEmpty()) {
                        own.add(System.nanoTime() - sent);
                        first = false;
                      }
                      if (event.path("usage").isObject()) {
                        tokens.addAndGet(event.at("/usage/completion_tokens").asLong());
                      }
                    }
                    requests.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> caller : running) {
        caller.get();
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Latencies ttft = Latencies.merge(firstTokens);
    return new Point(label, mode, streams, tokens.get() / elapsed, ttft.percentileMicros(50) / 1000, ttft.percentileMicros(90) / 1000, requests.get());
  }

  private static String embed(URI base, int texts, double seconds) throws Exception {
    List<String> input = new ArrayList<>();
    for (int i = 0; i < texts; i++) {
      input.add("Sentence number " + i + " about serving models quickly.");
    }
    String body = JSON.writeValueAsString(Map.of("model", "minilm", "input", input));
    HttpClient client = HttpClient.newHttpClient();
    AtomicLong requests = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        running.add(
            callers.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    HttpRequest request =
                        HttpRequest.newBuilder(base.resolve("embeddings")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    if (client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                      throw new IllegalStateException("embeddings failed");
                    }
                    requests.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> caller : running) {
        caller.get();
      }
    }
    double rate = requests.get() / ((System.nanoTime() - start) / 1e9);
    return "| %d text%s per request | %.0f | %.0f |".formatted(texts, texts == 1 ? "" : "s", rate, rate * texts);
  }

  private static void copyResource(String resource, Path target) throws Exception {
    try (InputStream in = GenerationBenchmark.class.getResourceAsStream(resource)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
