package io.quiver.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.protocol.grpc.api.ServerLiveRequest;
import io.quiver.protocol.grpc.api.ServerLiveResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One RPC over one HTTP/2 connection through grpc-java's asynchronous stub. Responses are handled
 * on the channel's own I/O thread (a direct executor), as the REST client handles them on its event
 * loop: grpc-java's default hands each response to another thread first, a wake-up that would be
 * counted against the server.
 */
final class GrpcTarget<T> implements LoadTarget {
  private final String name;
  private final ManagedChannel channel;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
  private final BiConsumer<GRPCInferenceServiceGrpc.GRPCInferenceServiceStub, StreamObserver<T>> rpc;

  private GrpcTarget(
      String name, int port, BiConsumer<GRPCInferenceServiceGrpc.GRPCInferenceServiceStub, StreamObserver<T>> rpc) {
    this.name = name;
    this.channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().directExecutor().build();
    this.stub = GRPCInferenceServiceGrpc.newStub(channel);
    this.rpc = rpc;
  }

  static GrpcTarget<ModelInferResponse> modelInfer(int port, ModelInferRequest request) {
    return new GrpcTarget<>("gRPC ModelInfer", port, (stub, observer) -> stub.modelInfer(request, observer));
  }

  /** The gRPC round trip with no inference. */
  static GrpcTarget<ServerLiveResponse> serverLive(int port) {
    ServerLiveRequest request = ServerLiveRequest.getDefaultInstance();
    return new GrpcTarget<>("gRPC floor: ServerLive", port, (stub, observer) -> stub.serverLive(request, observer));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void call(Consumer<Throwable> done) {
    rpc.accept(
        stub,
        new StreamObserver<>() {
          @Override
          public void onNext(T response) {}

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
