package io.quiver.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Where remote models are cached and fetched from, under {@code quiver.storage.*}. */
@ConfigMapping(prefix = "quiver.storage")
public interface StorageConfig {

  /** The folder downloads are kept in. Default: {@code ~/.cache/quiver/models}. */
  Optional<Path> cacheDir();

  /** Where {@code pvc://<claim>/<path>} claims are mounted (KServe's convention). */
  @WithDefault("/mnt/pvc")
  Path pvcRoot();

  /**
   * The S3 endpoint for {@code s3://}, for S3-compatible stores (KServe's {@code S3_ENDPOINT} as a
   * URL); default AWS. {@code AWS_ENDPOINT_URL} works too, read by the AWS SDK.
   */
  Optional<String> s3Endpoint();

  /** Path-style S3 addresses (MinIO and most S3-compatible stores need them). */
  @WithDefault("false")
  boolean s3PathStyle();

  /** Cloud Storage's JSON API, for {@code gs://} (an emulator's address in tests). */
  @WithDefault("https://storage.googleapis.com")
  String gcsEndpoint();

  /**
   * A service account's JSON key file for {@code gs://}; default: the file {@code
   * GOOGLE_APPLICATION_CREDENTIALS} names. {@code GOOGLE_OAUTH_ACCESS_TOKEN}, when set, is used instead.
   */
  Optional<Path> gcsCredentials();

  /** The Hugging Face Hub, for {@code hf://} (a mirror's address where there is one). */
  @WithDefault("https://huggingface.co")
  String hfEndpoint();
}
