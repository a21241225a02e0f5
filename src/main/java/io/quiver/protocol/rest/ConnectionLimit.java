package io.quiver.protocol.rest;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Caps the HTTP connections the server keeps open below the process's open-file limit, so that a
 * client opening connections and sending nothing cannot take the descriptors the server needs for
 * model files, Kafka and the connections it already serves: past the cap new connections are
 * closed at once. A quarter of the limit (at least 256) stays in reserve. Setting {@code
 * quarkus.http.limits.max-connections} overrides it; this source ranks below every other.
 */
public class ConnectionLimit implements ConfigSource {
  static final String PROPERTY = "quarkus.http.limits.max-connections";

  @Override
  public Set<String> getPropertyNames() {
    return Set.of(PROPERTY);
  }

  @Override
  public String getValue(String property) {
    if (!PROPERTY.equals(property)) {
      return null;
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return Long.toString(forDescriptorLimit(unix.getMaxFileDescriptorCount()));
    }
    return null;
  }

  /** The connection cap for a process that may open {@code descriptors} files. */
  static long forDescriptorLimit(long descriptors) {
    long reserve = Math.max(256, descriptors / 4);
    return Math.min(Integer.MAX_VALUE, Math.max(64, descriptors - reserve));
  }

  @Override
  public Map<String, String> getProperties() {
    String value = getValue(PROPERTY);
    return value == null ? Map.of() : Map.of(PROPERTY, value);
  }

  @Override
  public int getOrdinal() {
    return 50;
  }

  @Override
  public String getName() {
    return "quiver-connection-limit";
  }
}
