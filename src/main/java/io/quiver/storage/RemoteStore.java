package io.quiver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A remote store a model can be downloaded from, into an empty folder. */
sealed interface RemoteStore {
  ObjectMapper JSON = new ObjectMapper();

  void download(StorageUri uri, Path into) throws IOException;

  /**
   * {@code http(s)://}: one file, put in the folder under its name, or an archive ({@code
   * .tar.gz}, {@code .tgz}, {@code .tar}, {@code .zip}) unpacked into it.
   */
  record Http() implements RemoteStore {
    @Override
    public void download(StorageUri uri, Path into) throws IOException {
      Path file = Path.of(uri.uri().getPath()).getFileName();
      if (file == null) {
        throw new IllegalArgumentException("%s names no file".formatted(uri.text()));
      }
      String name = file.toString();
      if (!Archives.isArchive(name)) {
        Downloads.toFile(uri.uri(), null, Archives.inside(into, name), null);
        return;
      }
      Path archive = Files.createTempFile(into.getParent(), "archive", ".part");
      try {
        Downloads.toFile(uri.uri(), null, archive, null);
        Archives.unpack(archive, name, into);
      } finally {
        Files.deleteIfExists(archive);
      }
    }
  }

  /**
   * {@code gs://bucket/prefix}: every object under the prefix, through Cloud Storage's JSON API,
   * each checked against the MD5 the store gives; anonymous, with an OAuth access token, or as a
   * service account.
   */
  record GoogleCloudStorage(String endpoint, Credentials credentials) implements RemoteStore {
    /** Where the bearer token comes from. */
    interface Credentials {
      /** The token to send, or null for anonymous access. */
      String token() throws IOException;
    }

    @Override
    public void download(StorageUri uri, Path into) throws IOException {
      String token = credentials.token();
      String bucket = URLEncoder.encode(uri.authority(), StandardCharsets.UTF_8);
      String prefix = uri.path();
      String pageToken = null;
      int objects = 0;
      do {
        String list =
            "%s/storage/v1/b/%s/o?prefix=%s%s"
                .formatted(endpoint, bucket, URLEncoder.encode(prefix, StandardCharsets.UTF_8), pageToken == null ? "" : "&pageToken=" + pageToken);
        JsonNode page = JSON.readTree(Downloads.text(URI.create(list), token));
        for (JsonNode item : page.path("items")) {
          String name = item.path("name").asText();
          String relative = relative(name, prefix);
          if (relative == null) {
            continue; // a folder placeholder, or a neighbour that only shares the prefix's letters
          }
          URI media = URI.create("%s/storage/v1/b/%s/o/%s?alt=media".formatted(endpoint, bucket, URLEncoder.encode(name, StandardCharsets.UTF_8)));
          Downloads.toFile(media, token, Archives.inside(into, relative), item.path("md5Hash").asText(null));
          objects++;
        }
        pageToken = page.path("nextPageToken").asText(null);
      } while (pageToken != null);
      if (objects == 0) {
        throw new IOException("%s holds no objects".formatted(uri.text()));
      }
    }

    /** Where an object goes in the folder: the prefix is one object, or a folder of them. */
    static String relative(String name, String prefix) {
      if (name.endsWith("/")) {
        return null;
      }
      if (name.equals(prefix)) {
        return Path.of(name).getFileName().toString();
      }
      if (prefix.isEmpty()) {
        return name;
      }
      String folder = prefix.endsWith("/") ? prefix : prefix + "/";
      return name.startsWith(folder) ? name.substring(folder.length()) : null;
    }
  }

  /**
   * {@code hf://org/repo[:revision]}: every file of a Hugging Face Hub model repository at the
   * revision (default {@code main}), with the token in {@code HF_TOKEN} for gated or private ones.
   */
  record HuggingFaceHub(String endpoint, String token) implements RemoteStore {
    @Override
    public void download(StorageUri uri, Path into) throws IOException {
      String repository = uri.authority() + (uri.path().isEmpty() ? "" : "/" + uri.path());
      String revision = "main";
      int colon = repository.lastIndexOf(':');
      if (colon > 0) {
        revision = repository.substring(colon + 1);
        repository = repository.substring(0, colon);
      }
      JsonNode model = JSON.readTree(Downloads.text(URI.create("%s/api/models/%s/revision/%s".formatted(endpoint, repository, revision)), token));
      for (JsonNode sibling : model.path("siblings")) {
        String file = sibling.path("rfilename").asText();
        URI resolve = URI.create("%s/%s/resolve/%s/%s".formatted(endpoint, repository, revision, file));
        Downloads.toFile(resolve, token, Archives.inside(into, file), null);
      }
    }
  }

  /**
   * {@code s3://bucket/prefix}: every object under the prefix, through the AWS SDK's S3 client,
   * which checks each object's checksum where the store keeps one. Credentials and region from
   * the standard AWS variables; an endpoint override and path-style access for S3-compatible
   * stores (MinIO, Ceph).
   */
  record S3(String endpoint, boolean pathStyle) implements RemoteStore {
    @Override
    public void download(StorageUri uri, Path into) throws IOException {
      S3ClientBuilder builder = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).forcePathStyle(pathStyle);
      if (endpoint != null && !endpoint.isEmpty()) {
        builder.endpointOverride(URI.create(endpoint));
      }
      if (System.getenv("AWS_REGION") == null && System.getProperty("aws.region") == null) {
        builder.region(Region.US_EAST_1);
      }
      String prefix = uri.path();
      int objects = 0;
      try (S3Client client = builder.build()) {
        for (S3Object object : client.listObjectsV2Paginator(list -> list.bucket(uri.authority()).prefix(prefix)).contents()) {
          String relative = GoogleCloudStorage.relative(object.key(), prefix);
          if (relative == null) {
            continue;
          }
          Path file = Archives.inside(into, relative);
          Files.createDirectories(file.getParent());
          client.getObject(get -> get.bucket(uri.authority()).key(object.key()).checksumMode(ChecksumMode.ENABLED), file);
          objects++;
        }
      } catch (SdkException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (objects == 0) {
        throw new IOException("%s holds no objects".formatted(uri.text()));
      }
    }
  }

  /**
   * The stores by scheme.
   *
   * @param environment where the credentials are: {@code GOOGLE_OAUTH_ACCESS_TOKEN}, {@code
   *     GOOGLE_APPLICATION_CREDENTIALS}, {@code HF_TOKEN} (S3's are read by the AWS SDK itself)
   */
  static Map<String, RemoteStore> of(StorageConfig config, Map<String, String> environment) {
    RemoteStore http = new Http();
    return Map.of(
        "http", http,
        "https", http,
        "s3", new S3(config.s3Endpoint().orElse(null), config.s3PathStyle()),
        "gs", new GoogleCloudStorage(config.gcsEndpoint(), googleCredentials(config, environment)),
        "hf", new HuggingFaceHub(config.hfEndpoint(), environment.get("HF_TOKEN")));
  }

  /** An access token given as such first, then a service account's key file, else anonymous. */
  private static GoogleCloudStorage.Credentials googleCredentials(StorageConfig config, Map<String, String> environment) {
    String token = environment.get("GOOGLE_OAUTH_ACCESS_TOKEN");
    if (token != null && !token.isEmpty()) {
      return () -> token;
    }
    return config.gcsCredentials()
        .or(() -> Optional.ofNullable(environment.get("GOOGLE_APPLICATION_CREDENTIALS")).filter(file -> !file.isEmpty()).map(Path::of))
        .<GoogleCloudStorage.Credentials>map(keyFile -> new GoogleServiceAccount(keyFile, Clock.systemUTC()))
        .orElse(() -> null);
  }
}
