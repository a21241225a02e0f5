package io.quiver.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Authentication on, with keys made here: an RSA and an EC signing key published as a JWKS file
 * (the verification keys), and an API keys file holding one key's digest.
 */
public class AuthProfile implements QuarkusTestProfile {
  static final String ISSUER = "https://issuer.quiver.test";
  static final String API_KEY = "quiver-test-api-key-1";
  static final KeyPair RSA = generate("RSA", null);
  static final KeyPair EC = generate("EC", "secp256r1");
  /** A key nobody trusts, under the trusted RSA key's id. */
  static final KeyPair IMPOSTOR = generate("RSA", null);
  /** The payload log's HTTP sink, to see whom records name. */
  static final io.quiver.support.HttpCapture LOG_SINK = io.quiver.support.HttpCapture.start();

  private static KeyPair generate(String algorithm, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    try {
      Path folder = Files.createTempDirectory("quiver-auth");
      Path jwks = folder.resolve("jwks.json");
      Files.writeString(jwks, jwks());
      Path keys = folder.resolve("api-keys");
      Files.writeString(keys, "# the test's one key\n" + sha256(API_KEY) + " models:iris-xgboost:infer\n");
      return Map.of(
          "quiver.auth.enabled", "true",
          "quiver.auth.api-keys-file", keys.toString(),
          "mp.jwt.verify.publickey.location", jwks.toString(),
          "mp.jwt.verify.issuer", ISSUER,
          "quiver.logger.mode", "all",
          "quiver.logger.url", LOG_SINK.url());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String jwks() {
    RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
    ECPublicKey ec = (ECPublicKey) EC.getPublic();
    return """
        {"keys": [
          {"kty": "RSA", "kid": "rsa", "alg": "RS256", "use": "sig", "n": "%s", "e": "%s"},
          {"kty": "EC", "kid": "ec", "alg": "ES256", "use": "sig", "crv": "P-256", "x": "%s", "y": "%s"}
        ]}
        """
        .formatted(
            base64Url(rsa.getModulus(), 0), base64Url(rsa.getPublicExponent(), 0),
            base64Url(ec.getW().getAffineX(), 32), base64Url(ec.getW().getAffineY(), 32));
  }

  /** A JWK number: unsigned big-endian bytes, padded to {@code length} when given. */
  private static String base64Url(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
