package io.quiver.core;

/**
 * The protocol an inference came through: a metrics label, and the payload log's {@code
 * ce_endpoint}.
 */
public enum Protocol {
  V1("v1"),
  V2("v2"),
  GRPC("grpc"),
  KAFKA("kafka"),
  MLFLOW("mlflow"),
  TORCHSERVE("torchserve"),
  OPENAI("openai"),
  /** A step of a Triton ensemble, run by the server for the ensemble's request. */
  ENSEMBLE("ensemble");

  private final String label;

  Protocol(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
