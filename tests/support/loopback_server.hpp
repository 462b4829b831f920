#pragma once
// LoopbackServer: a listening socket plus one thread that hands each accepted connection,
// one at a time, to a behaviour function (e.g. a fake CRNP server that reads the request and
// answers given bytes, or one that resets). It closes each connection after its behaviour
// returns; behaviours never close it themselves.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "raw_socket.hpp"

namespace crnp::test {

/// A one-thread TCP server on 127.0.0.1 (or `host`), port 0. Connections are served one at a
/// time in accept order; the behaviour gets the connection and may read, write, stall until
/// the peer closes, or call setLingerZero() to make the close a reset.
class LoopbackServer {
 public:
  using Behaviour = std::function<void(RawSocket& connection)>;

  explicit LoopbackServer(Behaviour behaviour, const std::string& host = "127.0.0.1")
      : listener_(RawSocket::listenOn(host)), behaviour_(std::move(behaviour)) {
    thread_ = std::thread([this] { run(); });
  }
  ~LoopbackServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      // Wakes accept() and a behaviour blocked on the current connection.
      ::shutdown(listener_.fd(), SHUT_RDWR);
      if (current_ != nullptr) ::shutdown(current_->fd(), SHUT_RDWR);
    }
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const { return listener_.localPort(); }

  /// Source addresses of the connections accepted so far, in order.
  std::vector<std::string> peers() const {
    std::lock_guard lock(mutex_);
    return peers_;
  }
  /// Waits until `n` connections have been served and closed; false at the deadline.
  bool waitServed(std::size_t n, std::chrono::milliseconds timeout = kTestDeadline) {
    std::unique_lock lock(mutex_);
    return served_cv_.wait_for(lock, timeout, [&] { return served_ >= n; });
  }

 private:
  void run() {
    for (;;) {
      RawSocket connection(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection.valid()) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // shut down
      }
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        peers_.push_back(connection.peerAddress());
        current_ = &connection;
      }
      behaviour_(connection);
      {
        std::lock_guard lock(mutex_);
        current_ = nullptr;
        connection.close();
        ++served_;
      }
      served_cv_.notify_all();
    }
  }

  RawSocket listener_;
  Behaviour behaviour_;
  mutable std::mutex mutex_;
  std::condition_variable served_cv_;
  std::vector<std::string> peers_;
  std::size_t served_ = 0;
  RawSocket* current_ = nullptr;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crnp::test
