package io.quiver.observability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is exported only where an OTLP endpoint is configured, under OpenTelemetry's standard
 * variable ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, or its traces-only form) or Quarkus' own ({@code
 * QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}); without one the OpenTelemetry SDK stays off, and traces
 * are only passed on. Ranks below every other source, so an explicit setting wins.
 */
public class TracingDefaults implements ConfigSource {
  private static final List<String> ENDPOINTS =
      List.of(
          "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT",
          "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
          "OTEL_EXPORTER_OTLP_ENDPOINT",
          "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

  private final Map<String, String> values = defaults(System.getenv(), System.getProperties());

  static Map<String, String> defaults(Map<String, String> environment, Map<Object, Object> properties) {
    Map<String, String> values = new HashMap<>();
    String endpoint = null;
    for (String variable : ENDPOINTS) {
      String value = environment.get(variable);
      Object property = properties.get(variable.toLowerCase().replace('_', '.'));
      endpoint = endpoint != null ? endpoint : value != null && !value.isBlank() ? value : property != null ? property.toString() : null;
    }
    String standard = environment.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (standard != null && !standard.isBlank()) {
      values.put("quarkus.otel.exporter.otlp.endpoint", standard);
    }
    values.put("quarkus.otel.sdk.disabled", Boolean.toString(endpoint == null));
    return values;
  }

  @Override
  public Set<String> getPropertyNames() {
    return values.keySet();
  }

  @Override
  public Map<String, String> getProperties() {
    return values;
  }

  @Override
  public String getValue(String property) {
    return values.get(property);
  }

  @Override
  public int getOrdinal() {
    return 50;
  }

  @Override
  public String getName() {
    return "quiver-tracing-defaults";
  }
}
