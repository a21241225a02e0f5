package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Service account tokens from the token endpoint of the storage tests' server, which checks each JWT as Google's does. */
class GoogleServiceAccountTest {
  private static final StorageServers SERVERS = new StorageServers();

  @BeforeAll
  static void start() {
    SERVERS.start();
  }

  @AfterAll
  static void stop() {
    SERVERS.stop();
  }

  /** A clock the test moves. */
  private static final class Moving extends Clock {
    private Instant now = Instant.now();

    public Instant instant() {
      return now;
    }

    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aTokenIsKeptUntilAMinuteBeforeItExpires() throws Exception {
    Moving clock = new Moving();
    Path keyFile = StorageServers.writeKeyFile(StorageServers.serviceAccountKey, Files.createTempFile("key", ".json"));
    GoogleServiceAccount account = new GoogleServiceAccount(keyFile, clock);
    String first = account.token();
    clock.now = clock.now.plus(Duration.ofSeconds(3599 - 61));
    assertEquals(first, account.token());
    clock.now = clock.now.plus(Duration.ofSeconds(2));
    assertNotEquals(first, account.token(), "renewed in its last minute");
  }

  @Test
  void aKeyTheAccountDoesNotHaveIsRefusedWithTheEndpointsAnswer() throws Exception {
    Path keyFile = StorageServers.writeKeyFile(StorageServers.rsaKeyPair(), Files.createTempFile("key", ".json"));
    IOException refused = assertThrows(IOException.class, () -> new GoogleServiceAccount(keyFile, Clock.systemUTC()).token());
    assertTrue(refused.getMessage().endsWith("/token answered 400"), refused.getMessage());
  }

  @Test
  void aKeyFileOfAnotherKindSaysWhatIsSupported() throws Exception {
    Path keyFile = Files.writeString(Files.createTempFile("key", ".json"), "{\"type\": \"authorized_user\", \"client_id\": \"x\"}");
    IOException refused = assertThrows(IOException.class, () -> new GoogleServiceAccount(keyFile, Clock.systemUTC()).token());
    assertTrue(refused.getMessage().contains("only service account keys are supported"), refused.getMessage());
  }
}
