package io.quiver.protocol.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConnectionLimitTest {
  @Test
  void theDefaultCapLeavesDescriptorsInReserve() {
    assertEquals(768, ConnectionLimit.forDescriptorLimit(1024));
    assertEquals(786_432, ConnectionLimit.forDescriptorLimit(1 << 20));
    assertEquals(64, ConnectionLimit.forDescriptorLimit(100));
  }
}
