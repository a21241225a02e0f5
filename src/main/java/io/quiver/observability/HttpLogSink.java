package io.quiver.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Payload log records POSTed as binary-mode CloudEvents ({@code ce-*} headers), as KServe's logger sends them. */
final class HttpLogSink implements LogSink {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI url;

  HttpLogSink(URI url) {
    this.url = url;
  }

  @Override
  public void send(LogRecord record, Runnable failed) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", record.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(record.payload()));
    record.attributes().forEach((name, value) -> request.header("ce-" + name, value));
    if (record.traceparent() != null) {
      request.header("traceparent", record.traceparent());
    }
    try {
      // Synchronous: a slow sink holds back its own queue, which then drops, never a request.
      if (client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() >= 300) {
        failed.run();
      }
    } catch (java.io.IOException e) {
      failed.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.run();
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
