#pragma once
// Fixture for CrnpUpstream tests: an io_context on two threads, a real in-process
// crnp::sim::CrnpServer on 127.0.0.1 port 0, and recorders for events and health changes.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "crnp/codec.hpp"
#include "crnp/sim/crnp_server.hpp"
#include "crnp_upstream.hpp"
#include "loopback_peer.hpp"
#include "recording_relay.hpp"
#include "upstream_test_events.hpp"

namespace gateway::test {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using crnp::test::eventually;
using crnp::test::kTestDeadline;
using crnp::test::RawSocket;

class CrnpUpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (upstream_) upstream_->stop();
    if (server_) server_->stop();
    upstream_.reset();
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
    server_.reset();
  }

  static crnp::sim::ServerConfig serverConfig(std::uint16_t port = 0) {
    crnp::sim::ServerConfig config;
    config.listen = {asio::ip::make_address("127.0.0.1"), port};
    config.allowHosts = "127.0.0.0/8";
    config.clientTimeout = 500ms;
    config.clientRetryCount = 0;
    config.clientRetryInterval = 20ms;
    config.requestTimeout = 2s;
    return config;
  }

  crnp::sim::CrnpServer& startServer(crnp::sim::ServerConfig config = serverConfig()) {
    server_ = std::make_unique<crnp::sim::CrnpServer>(io_.get_executor(), config);
    const auto ec = server_->start();
    EXPECT_FALSE(ec) << ec.message();
    return *server_;
  }
  std::uint16_t serverPort() const { return server_->localEndpoint().port(); }

  /// Short timers; maintenance off unless a test turns it on.
  static UpstreamConfig upstreamConfig(const std::vector<std::uint16_t>& ports) {
    UpstreamConfig config;
    for (auto port : ports) config.servers.push_back({"127.0.0.1", port});
    config.callbackListen = {asio::ip::make_address("127.0.0.1"), 0};
    config.client.connectTimeout = 1000ms;
    config.client.replyTimeout = 1000ms;
    config.reregisterInterval = 0ms;
    config.silenceThreshold = 0ms;
    config.backoffInitial = 20ms;
    config.backoffMax = 200ms;
    config.randomSeed = 1;
    return config;
  }

  CrnpUpstream& makeUpstream(UpstreamConfig config, bool start = true) {
    upstream_ = std::make_shared<CrnpUpstream>(io_.get_executor(), std::move(config),
                                               [this](crnp::Event event) {
                                                 if (eventHook_) eventHook_(event);
                                                 events_.add(std::move(event));
                                               });
    upstream_->setHealthListener([this](const UpstreamHealth& h) { health_.add(h); });
    if (start) {
      const auto ec = upstream_->start();
      EXPECT_FALSE(ec) << ec.message();
    }
    return *upstream_;
  }

  /// Starts an applyTypes call; the future is ready when `done` ran.
  std::future<UpstreamResult> applyAsync(EventTypes types) {
    auto promise = std::make_shared<std::promise<UpstreamResult>>();
    auto future = promise->get_future();
    upstream_->applyTypes(std::move(types),
                          [promise](UpstreamResult result) { promise->set_value(result); });
    return future;
  }
  UpstreamResult apply(EventTypes types) {
    auto future = applyAsync(std::move(types));
    if (future.wait_for(kTestDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "applyTypes did not complete";
      return {};
    }
    return future.get();
  }

  /// The types the server holds for its only client (empty when it has none).
  EventTypes serverTypes() const {
    const auto clients = server_->clients();
    EXPECT_LE(clients.size(), 1u);
    return clients.empty() ? EventTypes{} : normalizeTypes(clients.front().types);
  }
  bool serverHasTypes(const EventTypes& types) const {
    const auto clients = server_->clients();
    return clients.size() == 1 && normalizeTypes(clients.front().types) == normalizeTypes(types);
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<crnp::sim::CrnpServer> server_;
  std::shared_ptr<CrnpUpstream> upstream_;
  EventRecorder events_;
  HealthRecorder health_;
  /// Runs in onEvent (on the upstream's strand) before the event is recorded; set it before
  /// makeUpstream.
  std::function<void(const crnp::Event&)> eventHook_;
};

}  // namespace gateway::test
