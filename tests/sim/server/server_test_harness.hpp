#pragma once
// An in-process CrnpServer on 127.0.0.1:0, run by two Asio threads, for the server tests.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crnp/sim/crnp_server.hpp"

namespace crnp::sim::testing {

/// Defaults for tests: loopback, everyone on 127/8 allowed, short timeouts in milliseconds.
inline ServerConfig testConfig() {
  ServerConfig config;
  config.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
  config.allowHosts = "127.0.0.0/8";
  config.clientTimeout = std::chrono::milliseconds(2000);
  config.clientRetryCount = 2;
  config.clientRetryInterval = std::chrono::milliseconds(50);
  config.requestTimeout = std::chrono::milliseconds(2000);
  return config;
}

class ServerHarness {
 public:
  explicit ServerHarness(ServerConfig config = testConfig(), CurrentStateProvider provider = {})
      : work_(boost::asio::make_work_guard(io_)) {
    server_ = std::make_unique<CrnpServer>(io_.get_executor(), std::move(config));
    if (provider) server_->setCurrentStateProvider(std::move(provider));
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~ServerHarness() {
    server_->stop();
    server_.reset();
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }
  ServerHarness(const ServerHarness&) = delete;
  ServerHarness& operator=(const ServerHarness&) = delete;

  std::error_code start() { return server_->start(); }
  CrnpServer& server() { return *server_; }
  std::uint16_t port() const { return server_->localEndpoint().port(); }
  /// The registered client on 127.0.0.1:`port`, or nullptr.
  std::unique_ptr<ClientInfo> client(std::uint16_t callbackPort) const {
    for (auto& info : server_->clients()) {
      if (info.callback.port() == callbackPort) return std::make_unique<ClientInfo>(info);
    }
    return nullptr;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<CrnpServer> server_;
  std::vector<std::thread> threads_;
};

/// Cluster events for tests.
inline Event clusterEvent(const std::string& subclass, std::vector<NvPair> pairs) {
  Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = subclass;
  event.vendor = "SUNW";
  event.publisher = "rgm";
  event.nvpairs = std::move(pairs);
  return event;
}
inline Event membershipEvent(const std::string& incarnation) {
  return clusterEvent("ESC_cluster_membership", {{"node_list", {"phys-node-1", "phys-node-2"}},
                                                 {"state_list", {incarnation, "-1"}}});
}
inline Event groupEvent(const std::string& group, const std::string& state) {
  return clusterEvent(
      "ESC_cluster_rg_state",
      {{"rg_name", {group}}, {"node_list", {"phys-node-1"}}, {"state_list", {state}}});
}

}  // namespace crnp::sim::testing
