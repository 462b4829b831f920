#pragma once
// A gRPC server on 127.0.0.1 with a free port, serving the given services, for tests that talk
// to a service through a real channel. Callers shut it down (server->Shutdown) in their order.
#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>

namespace crnp::testing {

struct LoopbackGrpcServer {
  std::unique_ptr<grpc::Server> server;
  std::string target;  ///< "127.0.0.1:port"

  std::shared_ptr<grpc::Channel> channel() const {
    return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  }
};

/// Throws std::runtime_error when the server cannot start.
inline LoopbackGrpcServer startLoopbackGrpcServer(std::initializer_list<grpc::Service*> services) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  for (auto* service : services) builder.RegisterService(service);
  LoopbackGrpcServer result;
  result.server = builder.BuildAndStart();
  if (!result.server || port == 0) throw std::runtime_error("cannot start a gRPC server");
  result.target = "127.0.0.1:" + std::to_string(port);
  return result;
}

}  // namespace crnp::testing
