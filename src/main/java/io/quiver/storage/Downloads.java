package io.quiver.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;

/** HTTP GETs for the stores: into a file (with the store's checksum checked where it gives one) or as text. */
final class Downloads {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();

  private Downloads() {}

  static String text(URI uri, String bearer) throws IOException {
    try (InputStream in = open(uri, bearer)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** POSTs an HTML form ({@code application/x-www-form-urlencoded}) and returns the 200 answer's body. */
  static String postForm(URI uri, String form) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMinutes(1))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
    try (InputStream in = send(request)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /**
   * Downloads {@code uri} into {@code file}.
   *
   * @param md5 the store's base64 MD5 of the content, or null when it gives none
   */
  static void toFile(URI uri, String bearer, Path file, String md5) throws IOException {
    Files.createDirectories(file.getParent());
    MessageDigest digest = md5Digest();
    try (InputStream in = new DigestInputStream(open(uri, bearer), digest)) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(digest.digest()))) {
      throw new IOException("%s arrived with another MD5 than the store gives: the download is corrupt".formatted(uri));
    }
  }

  private static InputStream open(URI uri, String bearer) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
    if (bearer != null && !bearer.isEmpty()) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request.build());
  }

  private static InputStream send(HttpRequest request) throws IOException {
    HttpResponse<InputStream> response;
    try {
      response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending to " + request.uri(), e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("%s answered %d".formatted(request.uri(), response.statusCode()));
    }
    return response.body();
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
