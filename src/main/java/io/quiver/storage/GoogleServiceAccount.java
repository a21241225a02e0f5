package io.quiver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;

/**
 * Cloud Storage access tokens for a service account, from its JSON key file (the file {@code
 * GOOGLE_APPLICATION_CREDENTIALS} names): a JWT signed with the account's key is exchanged at the
 * key's token URI for a read-only access token (OAuth 2.0's JWT bearer grant, RFC 7523), which is
 * kept until a minute before it expires. The file is read at the first download, so a bad one
 * fails the models that need it, not the server.
 */
final class GoogleServiceAccount implements RemoteStore.GoogleCloudStorage.Credentials {
  private static final String READ_ONLY_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final Path keyFile;
  private final Clock clock;
  private String token;
  private Instant renewAt = Instant.MIN;

  GoogleServiceAccount(Path keyFile, Clock clock) {
    this.keyFile = keyFile;
    this.clock = clock;
  }

  @Override
  public synchronized String token() throws IOException {
    Instant now = clock.instant();
    if (token == null || !now.isBefore(renewAt)) {
      JsonNode key = readKey();
      URI tokenUri = URI.create(key.path("token_uri").asText("https://oauth2.googleapis.com/token"));
      String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
          + "&assertion=" + assertion(key, tokenUri, now);
      JsonNode answer = JSON.readTree(Downloads.postForm(tokenUri, form));
      token = answer.path("access_token").asText(null);
      if (token == null) {
        throw new IOException("%s gave no access token for the service account in %s".formatted(tokenUri, keyFile));
      }
      renewAt = now.plusSeconds(answer.path("expires_in").asLong(3600) - 60);
    }
    return token;
  }

  private JsonNode readKey() throws IOException {
    JsonNode key = JSON.readTree(Files.readString(keyFile));
    if (!"service_account".equals(key.path("type").asText())) {
      throw new IOException("%s is not a service account key (type \"%s\"); only service account keys are supported"
          .formatted(keyFile, key.path("type").asText()));
    }
    return key;
  }

  private String assertion(JsonNode key, URI tokenUri, Instant now) throws IOException {
    String header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", key.path("private_key_id").asText()).toString();
    String claims = JSON.createObjectNode()
        .put("iss", key.path("client_email").asText())
        .put("scope", READ_ONLY_SCOPE)
        .put("aud", tokenUri.toString())
        .put("iat", now.getEpochSecond())
        .put("exp", now.getEpochSecond() + 3600)
        .toString();
    String signed = encode(header) + "." + encode(claims);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(privateKey(key.path("private_key").asText()));
      rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + BASE64URL.encodeToString(rsa.sign());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("the private key in %s cannot sign: %s".formatted(keyFile, e.getMessage()), e);
    }
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
