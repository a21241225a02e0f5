package io.quiver.observability;

/** The protocol an inference came through, as the payload log's {@code ce_endpoint} names it. */
public enum Endpoint {
  V1("v1"),
  V2("v2"),
  GRPC("grpc"),
  KAFKA("kafka"),
  MLFLOW("mlflow");

  private final String label;

  Endpoint(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
