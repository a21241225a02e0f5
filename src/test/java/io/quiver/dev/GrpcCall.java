package io.quiver.dev;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc;

/**
 * Calls one method of Quiver's gRPC service with a request written as JSON (proto field names), and
 * prints the answer as JSON: grpcurl's job, for machines without grpcurl. Run
 * {@code ./mvnw -B -q test-compile exec:exec@grpc -Dgrpc.method=ModelInfer -Dgrpc.request='{...}'}
 * ({@code -Dgrpc.target=host:port}, default localhost:8081).
 */
public final class GrpcCall {
  private GrpcCall() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: GrpcCall <host:port> <method, e.g. ModelInfer> [<request as JSON>]");
      System.exit(2);
    }
    System.out.println(call(args[0], args[1], args.length == 3 ? args[2] : "{}"));
  }

  /** The answer to one call, as JSON. */
  public static String call(String target, String method, String requestJson) throws InvalidProtocolBufferException {
    MethodDescriptor<Message, Message> descriptor = find(method);
    Message prototype =
        (Message) ((MethodDescriptor.PrototypeMarshaller<?>) descriptor.getRequestMarshaller()).getMessagePrototype();
    Message.Builder request = prototype.newBuilderForType();
    JsonFormat.parser().merge(requestJson, request);
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      Message answer = ClientCalls.blockingUnaryCall(channel, descriptor, CallOptions.DEFAULT, request.build());
      return JsonFormat.printer().preservingProtoFieldNames().print(answer);
    } finally {
      channel.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  private static MethodDescriptor<Message, Message> find(String method) {
    for (var descriptor : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
      if (descriptor.getBareMethodName().equals(method)) {
        return (MethodDescriptor<Message, Message>) descriptor;
      }
    }
    throw new IllegalArgumentException("inference.GRPCInferenceService has no method " + method);
  }
}
