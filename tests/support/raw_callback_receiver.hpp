#pragma once
// A raw CRNP callback port for conformance tests (shares no code with the project): accepts
// connections one at a time, reads each to EOF or a timeout, and records the raw bytes and
// whether the peer closed the connection.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "crnp_test_client.hpp"

namespace crnp_test {

/// A callback port: accepts connections one at a time, reads each to EOF (or a timeout) and
/// records the raw bytes. Runs its own thread; stop it with close() or the destructor.
class RawCallbackReceiver {
 public:
  struct Connection {
    std::string bytes;
    bool peerClosed = false;
  };

  explicit RawCallbackReceiver(milliseconds perConnectionTimeout = milliseconds(3000))
      : timeout_(perConnectionTimeout) {
    listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int one = 1;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in address = ipv4("127.0.0.1", 0);
    ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::listen(listener_.get(), 128);
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) == 0) {
      wakeRead_ = Fd(pipeFds[0]);
      wakeWrite_ = Fd(pipeFds[1]);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~RawCallbackReceiver() { close(); }
  RawCallbackReceiver(const RawCallbackReceiver&) = delete;
  RawCallbackReceiver& operator=(const RawCallbackReceiver&) = delete;

  std::uint16_t port() const { return port_; }

  /// Stops accepting; the port then refuses connections.
  void close() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char byte = 'x';
    [[maybe_unused]] auto n = ::write(wakeWrite_.get(), &byte, 1);
    thread_.join();
    listener_.reset();
  }

  bool waitForConnections(std::size_t count, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return connections_.size() >= count; });
  }
  std::vector<Connection> connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
  }

 private:
  void run() {
    while (!stopping_) {
      pollfd entries[2] = {{listener_.get(), POLLIN, 0}, {wakeRead_.get(), POLLIN, 0}};
      if (::poll(entries, 2, -1) < 0) continue;
      if (entries[1].revents) return;
      Fd peer(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!peer.valid()) continue;
      Connection connection;
      const auto received = readToEof(peer.get(), timeout_);
      connection.bytes = received.bytes;
      connection.peerClosed = received.closedByPeer;
      {
        std::lock_guard lock(mutex_);
        connections_.push_back(std::move(connection));
      }
      changed_.notify_all();
    }
  }

  milliseconds timeout_;
  Fd listener_;
  Fd wakeRead_;
  Fd wakeWrite_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Connection> connections_;
};

}  // namespace crnp_test
