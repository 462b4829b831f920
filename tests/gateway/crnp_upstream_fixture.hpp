#pragma once
// Fixture for CrnpUpstream tests: an io_context on two threads, a real in-process
// crnp::sim::CrnpServer on 127.0.0.1 port 0, recorders for events and health changes, and a
// recording TCP relay that shows which registration messages the upstream sent.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "crnp/codec.hpp"
#include "crnp/sim/crnp_server.hpp"
#include "crnp_upstream.hpp"
#include "loopback_peer.hpp"

namespace gateway::test {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using crnp::test::eventually;
using crnp::test::kTestDeadline;
using crnp::test::RawSocket;

inline crnp::EventType membershipType() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
inline crnp::EventType rgType(const std::string& name) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {name}}}};
}

inline crnp::Event membershipEvent(const std::string& incarnation) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_membership";
  event.vendor = "SUNW";
  event.publisher = "rgm";
  event.nvpairs = {{"node_list", {"phys-1", "phys-2"}}, {"state_list", {incarnation, "-1"}}};
  return event;
}

inline crnp::Event rgEvent(const std::string& name, const std::string& state) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_rg_state";
  event.vendor = "ORCL";
  event.publisher = "rgm";
  event.nvpairs = {{"rg_name", {name}}, {"node_list", {"phys-1"}}, {"state_list", {state}}};
  return event;
}

/// Events handed to onEvent, in order.
class EventRecorder {
 public:
  void add(crnp::Event event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  bool waitCount(std::size_t n, std::chrono::milliseconds timeout = kTestDeadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<crnp::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<crnp::Event> events_;
};

/// Every `healthy` value the health listener reported, in order.
class HealthRecorder {
 public:
  void add(const UpstreamHealth& health) {
    {
      std::lock_guard lock(mutex_);
      changes_.push_back(health.healthy);
    }
    changed_.notify_all();
  }
  /// Waits until the listener reported unhealthy and, after that, healthy.
  bool waitUnhealthyThenHealthy(std::chrono::milliseconds timeout = kTestDeadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      auto down = std::find(changes_.begin(), changes_.end(), false);
      return down != changes_.end() && std::find(down, changes_.end(), true) != changes_.end();
    });
  }
  std::vector<bool> changes() const {
    std::lock_guard lock(mutex_);
    return changes_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> changes_;
};

/// A TCP relay in front of a CRNP server that records each request document it forwarded.
/// One connection at a time, like the upstream's exchanges.
class RecordingRelay {
 public:
  explicit RecordingRelay(std::uint16_t target)
      : target_(target), server_([this](RawSocket& client) { relay(client); }) {}
  std::uint16_t port() const { return server_.port(); }
  /// The requests forwarded so far, parsed (a request that does not parse fails the test).
  std::vector<crnp::Registration> requests() const {
    std::lock_guard lock(mutex_);
    std::vector<crnp::Registration> parsed;
    for (const auto& bytes : requests_) {
      auto result = crnp::parseRegistration(bytes);
      EXPECT_TRUE(result.ok()) << bytes;
      if (result.ok()) parsed.push_back(result.value());
    }
    return parsed;
  }
  std::vector<crnp::RegType> types() const {
    std::vector<crnp::RegType> kinds;
    for (const auto& request : requests()) kinds.push_back(request.type);
    return kinds;
  }

 private:
  void relay(RawSocket& client) {
    RawSocket server;
    try {
      server = RawSocket::connectTo("127.0.0.1", target_);
    } catch (const std::exception&) {
      return;  // the client sees a close without reply
    }
    std::string request;
    const auto deadline = std::chrono::steady_clock::now() + kTestDeadline;
    bool clientOpen = true;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd fds[2] = {{client.fd(), static_cast<short>(clientOpen ? POLLIN : 0), 0},
                       {server.fd(), POLLIN, 0}};
      if (::poll(fds, 2, 100) <= 0) continue;
      if (clientOpen && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t n = ::recv(client.fd(), buffer, sizeof buffer, 0);
        if (n <= 0) {
          clientOpen = false;
          server.shutdownWrite();
        } else {
          request.append(buffer, static_cast<std::size_t>(n));
          server.sendAll(std::string_view(buffer, static_cast<std::size_t>(n)));
        }
      }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(server.fd(), buffer, sizeof buffer, 0);
        if (n <= 0) break;  // the server answered (or not) and closed
        client.sendAll(std::string_view(buffer, static_cast<std::size_t>(n)));
      }
    }
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }

  std::uint16_t target_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  crnp::test::LoopbackServer server_;  // last: its thread uses the members above
};

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
    upstream_ = std::make_shared<CrnpUpstream>(
        io_.get_executor(), std::move(config),
        [this](crnp::Event event) { events_.add(std::move(event)); });
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
};

}  // namespace gateway::test
