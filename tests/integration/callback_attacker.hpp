#pragma once
// CallbackAttacker: a hostile neighbour on the gateway's callback port, for the tests that
// prove the cluster's events still arrive. It holds `connections` connections from one source
// address, idle or trickling one byte per connection per second, and opens a new one whenever
// the gateway closes one, until stopped.
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "raw_socket.hpp"

namespace crnp::integration {

class CallbackAttacker {
 public:
  enum class Mode { Idle, Trickle };

  CallbackAttacker(std::string host, std::uint16_t port, std::string source,
                   std::size_t connections, Mode mode)
      : host_(std::move(host)), port_(port), source_(std::move(source)), mode_(mode) {
    sockets_.resize(connections);
    for (auto& socket : sockets_) reconnect(socket);
    thread_ = std::thread([this] { run(); });
  }
  CallbackAttacker(const CallbackAttacker&) = delete;
  CallbackAttacker& operator=(const CallbackAttacker&) = delete;
  ~CallbackAttacker() {
    stop_ = true;
    thread_.join();
  }

  /// Connections the gateway closed (and that were opened again) so far.
  std::uint64_t renewed() const { return renewed_.load(); }

 private:
  void reconnect(test::RawSocket& socket) {
    socket = test::RawSocket::connectTo(host_, port_, source_);
    if (mode_ == Mode::Trickle) socket.sendAll("<");  // first bytes in time, then a trickle
  }

  void run() {
    using clock = std::chrono::steady_clock;
    auto nextByte = clock::now() + std::chrono::seconds(1);
    while (!stop_) {
      std::vector<pollfd> fds;
      for (const auto& socket : sockets_) fds.push_back({socket.fd(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), 100);
      for (std::size_t i = 0; i < fds.size() && !stop_; ++i) {
        // Readable means closed by the gateway (it never writes on a callback connection).
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
          reconnect(sockets_[i]);
          ++renewed_;
        }
      }
      if (mode_ == Mode::Trickle && clock::now() >= nextByte) {
        for (auto& socket : sockets_) socket.sendAll("S");
        nextByte += std::chrono::seconds(1);
      }
    }
  }

  const std::string host_;
  const std::uint16_t port_;
  const std::string source_;
  const Mode mode_;
  std::vector<test::RawSocket> sockets_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> renewed_{0};
  std::thread thread_;
};

}  // namespace crnp::integration
