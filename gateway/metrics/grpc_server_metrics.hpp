#pragma once
// GrpcServerMetrics: the go-grpc-prometheus server metrics, by a gRPC server interceptor, so
// that dashboards and alerts written for Go and Java gRPC servers work unchanged:
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_msg_received_total / grpc_server_msg_sent_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} (histogram, unary calls)
// grpc_code is the Go name of the status code ("OK", "InvalidArgument", ...), as there.
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string_view>

#include "stream_call_observer.hpp"

namespace prometheus {
class Registry;
}

namespace gateway {

/// The Go name of a gRPC status code (codes.Code.String()), or "Code(n)" for an unknown one.
std::string_view goCodeName(int code);

class GrpcServerMetrics {
 public:
  explicit GrpcServerMetrics(prometheus::Registry& registry);
  ~GrpcServerMetrics();
  GrpcServerMetrics(const GrpcServerMetrics&) = delete;
  GrpcServerMetrics& operator=(const GrpcServerMetrics&) = delete;

  /// For ServerBuilder::experimental().SetInterceptorCreators; this object must outlive the
  /// server. It leaves out `streamingMethod` (a full "/package.Service/Method" name), whose
  /// calls report through streamObserver() instead.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> interceptorFactory();

  /// The series of the server-streaming method `streamingMethod`, fed by its own streams.
  StreamCallObserver& streamObserver();
  static constexpr std::string_view streamingMethod = "/crnp.gateway.v1.CrnpGateway/Subscribe";

  struct Families;

 private:
  std::unique_ptr<Families> families_;
  std::unique_ptr<StreamCallObserver> streamObserver_;
};

}  // namespace gateway
