#pragma once
// A Simulator (CRNP server on 127.0.0.1:0, two Asio threads) with its ControlService on a
// real gRPC server on 127.0.0.1:0, and a stub talking to it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crnp/sim/control_service.hpp"
#include "crnp/sim/simulator.hpp"
#include "loopback_grpc_server.hpp"

namespace crnp::sim::testing {

inline SimulatorConfig controlTestConfig() {
  SimulatorConfig config;
  config.server.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
  config.server.allowHosts = "127.0.0.0/8";
  config.server.clientTimeout = std::chrono::milliseconds(2000);
  config.server.clientRetryCount = 1;
  config.server.clientRetryInterval = std::chrono::milliseconds(50);
  return config;  // 3 nodes, 2 groups, scenario none
}

class ControlServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { startAll(controlTestConfig()); }

  void startAll(const SimulatorConfig& config) {
    simulator_ = std::make_unique<Simulator>(io_.get_executor(), config);
    ASSERT_FALSE(simulator_->start());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    service_ = std::make_unique<ControlService>(*simulator_);
    auto grpcServer = crnp::testing::startLoopbackGrpcServer({service_.get()});
    server_ = std::move(grpcServer.server);
    stub_ = v1::SimControl::NewStub(grpcServer.channel());
  }

  void TearDown() override {
    // Control calls finish on the simulator's strand: Asio keeps running until gRPC is down.
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (simulator_) simulator_->stop();
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  std::uint16_t crnpPort() const { return simulator_->server().localEndpoint().port(); }

  /// Calls one unary RPC with a deadline: call(&Stub::GetCluster, request, response).
  template <class Method, class Request, class Response>
  grpc::Status call(Method method, const Request& request, Response& response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*stub_).*method)(&context, request, &response);
  }

  v1::ClusterView cluster() {
    v1::ClusterView view;
    EXPECT_TRUE(call(&Stub::GetCluster, v1::GetClusterRequest{}, view).ok());
    return view;
  }

  using Stub = v1::SimControl::Stub;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      boost::asio::make_work_guard(io_)};
  std::vector<std::thread> threads_;
  std::unique_ptr<Simulator> simulator_;
  std::unique_ptr<ControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Stub> stub_;
};

/// The group's state on `node` in a view ("" when absent).
inline std::string groupState(const v1::ClusterView& view, const std::string& group,
                              const std::string& node) {
  for (const auto& g : view.resource_groups()) {
    if (g.name() != group) continue;
    const auto it = g.node_states().find(node);
    return it == g.node_states().end() ? "" : it->second;
  }
  return "";
}

inline std::int64_t incarnationOf(const v1::ClusterView& view, const std::string& node) {
  for (const auto& n : view.nodes()) {
    if (n.name() == node) return n.incarnation();
  }
  return -2;
}

}  // namespace crnp::sim::testing
