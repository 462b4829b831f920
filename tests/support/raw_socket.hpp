#pragma once
// RawSocket: a blocking IPv4 socket for tests, with deadline-bound reads and helpers for
// hostile peers (bind a source address, trickle bytes, reset instead of close). Plain POSIX,
// sharing no code with the library under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace crnp::test {

/// Generous deadline for anything a test waits on.
inline constexpr std::chrono::milliseconds kTestDeadline{10000};

class RawSocket {
 public:
  enum class End { Eof, Reset, Timeout, Error };
  struct ReadResult {
    std::string data;
    End end = End::Error;
  };

  RawSocket() = default;
  explicit RawSocket(int fd) : fd_(fd) {}
  RawSocket(RawSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RawSocket& operator=(RawSocket&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  ~RawSocket() { close(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

  /// A new IPv4 TCP socket, optionally bound to `source` (port 0) first.
  static RawSocket tcp4(const std::string& source = "") {
    RawSocket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    if (!source.empty()) {
      const sockaddr_in a = makeAddress(source, 0);
      if (::bind(s.fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        throw std::runtime_error("bind " + source + ": " + std::strerror(errno));
      }
    }
    return s;
  }

  /// Blocking connect to host:port (IPv4), bound to `source` first when given.
  static RawSocket connectTo(const std::string& host, std::uint16_t port,
                             const std::string& source = "") {
    RawSocket s = tcp4(source);
    const sockaddr_in a = makeAddress(host, port);
    if (::connect(s.fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("connect: " + std::string(std::strerror(errno)));
    }
    return s;
  }

  /// A socket listening on host:0 with the given backlog.
  static RawSocket listenOn(const std::string& host = "127.0.0.1", int backlog = 64) {
    RawSocket s = tcp4(host);
    if (::listen(s.fd_, backlog) != 0) {
      throw std::runtime_error("listen: " + std::string(std::strerror(errno)));
    }
    return s;
  }

  /// A port on which nothing listens (bound, then closed; nobody else takes it that fast).
  static std::uint16_t deadPort(const std::string& host = "127.0.0.1") {
    return tcp4(host).localPort();
  }

  std::uint16_t localPort() const { return ntohs(name(false).sin_port); }
  std::string localAddress() const { return text(name(false)); }
  std::string peerAddress() const { return text(name(true)); }

  /// Writes all of `bytes`; false when the peer is gone (no SIGPIPE).
  bool sendAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads until `n` bytes arrived, EOF, an error or the deadline, whichever comes first.
  ReadResult readExactly(std::size_t n, std::chrono::milliseconds timeout = kTestDeadline) {
    return read(timeout, n);
  }
  /// Reads until EOF (or a reset, an error, the deadline).
  ReadResult readToEnd(std::chrono::milliseconds timeout = kTestDeadline) {
    return read(timeout, std::string::npos);
  }

  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  /// Makes the next close() send RST instead of FIN.
  void setLingerZero() {
    const linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }

  static sockaddr_in makeAddress(const std::string& host, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
      throw std::runtime_error("not an IPv4 address: " + host);
    }
    return a;
  }

 private:
  sockaddr_in name(bool peer) const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    auto* p = reinterpret_cast<sockaddr*>(&a);
    if ((peer ? ::getpeername(fd_, p, &len) : ::getsockname(fd_, p, &len)) != 0) {
      throw std::runtime_error("getsockname/getpeername: " + std::string(std::strerror(errno)));
    }
    return a;
  }
  static std::string text(const sockaddr_in& a) {
    char buffer[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, buffer, sizeof buffer);
    return buffer;
  }

  ReadResult read(std::chrono::milliseconds timeout, std::size_t want) {
    ReadResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char chunk[16384];
    while (result.data.size() < want) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.end = End::Timeout;
        return result;
      }
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;  // the deadline check above ends the loop
      if (ready < 0) return result;
      const std::size_t room = std::min(sizeof chunk, want - result.data.size());
      const ssize_t n = ::recv(fd_, chunk, room, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) {
        result.end = End::Eof;
        return result;
      }
      if (n < 0) {
        result.end = errno == ECONNRESET ? End::Reset : End::Error;
        return result;
      }
      result.data.append(chunk, static_cast<std::size_t>(n));
    }
    result.end = End::Eof;  // got what was asked for; the stream may go on
    return result;
  }

  int fd_ = -1;
};

}  // namespace crnp::test
