package io.quiver.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a presented credential into a {@link Caller}: a static API key (by its digest), else a
 * bearer JWT verified offline with MicroProfile JWT's settings (RS256 or ES256; signature, issuer,
 * audience, expiry and not-before checked). Scopes come from the token's {@code scope} claim
 * (space-separated, OAuth style) and its {@code groups}. Failures are counted by reason in {@code
 * quiver_auth_failures_total}; credentials never reach a log.
 *
 * <p>A verified token is remembered until it expires (at most {@value #MAX_REMEMBERED} at once), so
 * a client that sends the same token with every request pays for one signature check, not one
 * per request (docs/benchmarks.md: a third of the throughput otherwise).
 */
@ApplicationScoped
public class Authenticator {
  private final AuthConfig config;
  private final ApiKeys apiKeys;
  private final Map<String, Set<String>> certificates;
  private final DefaultJWTParser jwt;
  private final MeterRegistry meters;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();
  private static final int MAX_REMEMBERED = 10_000;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  /** A token already verified: who it stands for, until when (epoch seconds). */
  private record Verified(Caller caller, long expires) {}

  Authenticator(
      AuthConfig config,
      MeterRegistry meters,
      @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> publicKey,
      @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer,
      @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<Set<String>> audiences) {
    this.config = config;
    this.meters = meters;
    try {
      this.apiKeys = config.enabled() && config.apiKeysFile().isPresent() ? ApiKeys.read(config.apiKeysFile().get()) : ApiKeys.none();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the API keys file " + config.apiKeysFile().get(), e);
    }
    try {
      this.certificates = config.enabled() && config.clientCertificatesFile().isPresent() ? certificates(config.clientCertificatesFile().get()) : Map.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client certificates file " + config.clientCertificatesFile().get(), e);
    }
    if (publicKey.isPresent()) {
      JWTAuthContextInfo context = new JWTAuthContextInfo(publicKey.get(), issuer.orElse(null));
      context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256));
      audiences.ifPresent(context::setExpectedAudience);
      this.jwt = new DefaultJWTParser(context);
    } else {
      this.jwt = null;
    }
  }

  public boolean enabled() {
    return config.enabled();
  }

  /** Whether a REST path is open without a credential. */
  public boolean open(String path) {
    return config.openPaths().contains(path);
  }

  /**
   * The caller a credential stands for.
   *
   * @param bearer the token after {@code Bearer } in {@code Authorization}, or null
   * @param apiKey the {@code X-API-Key} header, or null
   * @throws AuthenticationFailure when there is none, or it is not accepted
   */
  public Caller authenticate(String bearer, String apiKey) {
    String credential = credential(bearer, apiKey);
    if (credential == null || credential.isBlank()) {
      throw failure("missing", "A credential is required: Authorization: Bearer <token or API key>, or X-API-Key.");
    }
    Caller byKey = apiKeys.find(credential);
    if (byKey != null) {
      return byKey;
    }
    if (credential.chars().filter(c -> c == '.').count() != 2 || jwt == null) {
      throw failure("unknown_key", "The credential is neither a known API key nor a JSON Web Token.");
    }
    Verified known = verified.get(credential);
    if (known != null && known.expires() > java.time.Instant.now().getEpochSecond()) {
      return known.caller();
    }
    JsonWebToken token;
    try {
      token = jwt.parse(credential);
    } catch (ParseException e) {
      verified.remove(credential);
      throw failure("invalid", "The token is not accepted: " + reason(e));
    }
    Set<String> scopes = new HashSet<>(token.getGroups());
    Object scope = token.getClaim("scope");
    if (scope != null) {
      for (String granted : scope.toString().strip().split("\\s+")) {
        if (!granted.isEmpty()) {
          scopes.add(granted);
        }
      }
    }
    Caller caller = new Caller(token.getSubject() != null ? token.getSubject() : token.getName(), scopes);
    if (verified.size() >= MAX_REMEMBERED) {
      verified.clear();
    }
    verified.put(credential, new Verified(caller, token.getExpirationTime()));
    return caller;
  }

  /**
   * The caller a verified client certificate stands for (mutual TLS), or null when its subject is
   * not listed.
   */
  public Caller byCertificate(String subject) {
    Set<String> scopes = certificates.get(subject);
    return scopes == null ? null : new Caller(subject, scopes);
  }

  private static Map<String, Set<String>> certificates(java.nio.file.Path file) throws IOException {
    Map<String, Set<String>> subjects = new java.util.HashMap<>();
    for (String line : java.nio.file.Files.readAllLines(file)) {
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      int bar = entry.lastIndexOf('|');
      if (bar < 0) {
        throw new IllegalArgumentException("%s: expected '<subject> | <scopes>', got '%s'".formatted(file, entry));
      }
      subjects.put(entry.substring(0, bar).strip(), Set.of(entry.substring(bar + 1).strip().split("\\s+")));
    }
    return Map.copyOf(subjects);
  }

  /**
   * Whether authenticating this credential means verifying a token not seen before: work that may
   * fetch a JWKS over the network the first time, so it is not for an event loop.
   */
  public boolean needsVerification(String bearer, String apiKey) {
    String credential = credential(bearer, apiKey);
    if (credential == null || jwt == null || credential.chars().filter(c -> c == '.').count() != 2) {
      return false;
    }
    Verified known = verified.get(credential);
    return known == null || known.expires() <= java.time.Instant.now().getEpochSecond();
  }

  private static String credential(String bearer, String apiKey) {
    return apiKey != null && !apiKey.isBlank() ? apiKey.strip() : bearer;
  }

  /** Counts a refusal of an authenticated caller. */
  public void forbidden() {
    counter("forbidden").increment();
  }

  private AuthenticationFailure failure(String reason, String message) {
    counter(reason).increment();
    return new AuthenticationFailure(reason, message);
  }

  private Counter counter(String reason) {
    return failures.computeIfAbsent(
        reason, r -> Counter.builder("quiver_auth_failures").description("Calls refused for their credential, by reason").tag("reason", r).register(meters));
  }

  /** The verifier's own words, without the token. */
  private static String reason(ParseException e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? e.getMessage() : cause.getMessage();
    return message == null ? "verification failed" : message.replaceAll("eyJ[A-Za-z0-9_.-]+", "<token>");
  }
}
