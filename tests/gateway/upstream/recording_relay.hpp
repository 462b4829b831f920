#pragma once
// RecordingRelay: a TCP relay in front of a CRNP server that records every registration
// request it forwards, so tests can see which message (ADD_CLIENT, ADD_EVENTS, ...) was sent.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "crnp/codec.hpp"
#include "loopback_peer.hpp"

namespace gateway::test {

/// A TCP relay in front of a CRNP server that records each request document it forwarded.
/// One connection at a time, like the upstream's exchanges.
class RecordingRelay {
 public:
  explicit RecordingRelay(std::uint16_t target)
      : target_(target), server_([this](crnp::test::RawSocket& client) { relay(client); }) {}
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
  void relay(crnp::test::RawSocket& client) {
    crnp::test::RawSocket server;
    try {
      server = crnp::test::RawSocket::connectTo("127.0.0.1", target_);
    } catch (const std::exception&) {
      return;  // the client sees a close without reply
    }
    std::string request;
    const auto deadline = std::chrono::steady_clock::now() + crnp::test::kTestDeadline;
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

}  // namespace gateway::test
