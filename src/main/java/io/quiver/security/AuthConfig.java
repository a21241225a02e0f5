package io.quiver.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Who may call what, under {@code quiver.auth.*}. Bearer JWTs are verified with MicroProfile
 * JWT's standard settings ({@code mp.jwt.verify.publickey.location}, {@code
 * mp.jwt.verify.issuer}, {@code mp.jwt.verify.audiences}).
 */
@ConfigMapping(prefix = "quiver.auth")
public interface AuthConfig {

  /** Whether calls need a credential. Off by default. */
  @WithDefault("false")
  boolean enabled();

  /** Static API keys: one a line, its SHA-256 hex digest followed by its scopes. */
  Optional<Path> apiKeysFile();

  /**
   * Client certificates accepted as callers (mutual TLS): one a line, the certificate's subject
   * as written by Java (e.g. {@code CN=team-a,O=Acme}), then {@code |} and its scopes.
   */
  Optional<Path> clientCertificatesFile();

  /** REST paths open without a credential. */
  @WithDefault("/,/v2/health/live,/v2/health/ready,/v2/health/startup,/metrics,/ping")
  List<String> openPaths();
}
