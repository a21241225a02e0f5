package io.quiver.protocol.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quiver.core.InferenceException;
import io.quiver.core.ThrottledLog;
import org.jboss.logging.Logger;

/** Maps core failures to gRPC statuses, once, for every RPC. */
final class GrpcErrors {
  private static final ThrottledLog UNEXPECTED = new ThrottledLog(Logger.getLogger(GrpcErrors.class));

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException status) {
      return status;
    }
    Status status =
        switch (error) {
          case InferenceException.ModelNotFound e -> Status.NOT_FOUND;
          case InferenceException.InvalidInput e -> Status.INVALID_ARGUMENT;
          case InferenceException.ModelNotReady e -> Status.UNAVAILABLE;
          case InferenceException.Unavailable e -> Status.UNAVAILABLE;
          case InferenceException.NotImplemented e -> Status.UNIMPLEMENTED;
          case InferenceException.ModelFailure e -> Status.INTERNAL;
          default -> Status.INTERNAL;
        };
    if (!(error instanceof InferenceException)) {
      UNEXPECTED.error(error, "gRPC call failed: " + error.getMessage());
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return status.withDescription(message).asRuntimeException();
  }
}
