#pragma once
// waitForTcpPort: until a TCP port accepts connections, with a deadline. Header-only.
// Prefer waiting for a child's "listening on" line; this is for servers that print nothing.

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "child_process.hpp"

namespace crnp::testing {

namespace detail {

/// One non-blocking connect attempt to `address`, bounded by `deadline`.
inline bool connectOnce(const addrinfo& address, std::chrono::steady_clock::time_point deadline) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          address.ai_protocol);
  if (fd < 0) return false;
  bool connected = ::connect(fd, address.ai_addr, address.ai_addrlen) == 0;
  if (!connected && errno == EINPROGRESS) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    connected = ::poll(&pfd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) == 1 &&
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }
  ::close(fd);
  return connected;
}

}  // namespace detail

/// True once `host:port` (numeric or resolvable host) accepts a TCP connection; false at the
/// deadline, or early when `process` (optional) has exited. The kernel has no notification for
/// "someone started listening", so this polls, backing off from 5 ms to 100 ms between tries.
inline bool waitForTcpPort(const std::string& host, std::uint16_t port,
                           std::chrono::steady_clock::duration timeout,
                           ChildProcess* process = nullptr) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

  auto backoff = std::chrono::milliseconds(5);
  for (;;) {
    for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
      if (detail::connectOnce(*a, deadline)) return true;
    }
    const auto now = Clock::now();
    if (now >= deadline) return false;
    const auto retryAt = std::min(deadline, now + backoff);
    if (process != nullptr) {
      if (process->waitExit(retryAt)) return false;  // wakes at once if the child dies
    } else {
      std::this_thread::sleep_until(retryAt);
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
  }
}

}  // namespace crnp::testing
