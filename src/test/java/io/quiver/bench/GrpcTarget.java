package io.quiver.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** ModelInfer over one HTTP/2 connection through grpc-java's asynchronous stub. */
final class GrpcTarget implements LoadTarget {
  private final ManagedChannel channel;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
  private final ModelInferRequest request;

  GrpcTarget(int port, ModelInferRequest request) {
    this.channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    this.stub = GRPCInferenceServiceGrpc.newStub(channel);
    this.request = request;
  }

  @Override
  public String name() {
    return "gRPC ModelInfer";
  }

  @Override
  public void call(Consumer<Throwable> done) {
    stub.modelInfer(
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(ModelInferResponse response) {}

          @Override
          public void onError(Throwable error) {
            done.accept(error);
          }

          @Override
          public void onCompleted() {
            done.accept(null);
          }
        });
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
