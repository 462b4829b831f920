#pragma once
// An independent CRNP client for conformance tests. It shares no code with the project: requests
// are raw XML strings written by hand, replies are read with POSIX sockets and STATUS_CODE is
// found by plain string search. See raw_callback_receiver.hpp for the callback side.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace crnp_test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

/// Polls `condition` until it holds or `timeout` passes (a deadline, not a sleep).
inline bool waitUntil(const std::function<bool()>& condition,
                      milliseconds timeout = milliseconds(5000)) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::yield();
    ::poll(nullptr, 0, 2);
  }
  return true;
}

inline sockaddr_in ipv4(const std::string& ip, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

/// Blocking TCP connect from `sourceIp` (bound first, so the server sees it) to ip:port.
inline Fd connectTo(std::uint16_t port, const std::string& sourceIp = "127.0.0.1",
                    const std::string& ip = "127.0.0.1") {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return {};
  const sockaddr_in source = ipv4(sourceIp, 0);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) return {};
  const sockaddr_in target = ipv4(ip, port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
    return {};
  }
  return fd;
}

inline bool sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// What came back on one connection.
struct Received {
  std::string bytes;
  bool closedByPeer = false;  ///< a read returned 0 (EOF)
  bool reset = false;         ///< a read failed (e.g. ECONNRESET)
  bool timedOut = false;      ///< neither within the timeout
};

/// Reads until EOF, error or `timeout` (total).
inline Received readToEof(int fd, milliseconds timeout) {
  Received received;
  const auto deadline = Clock::now() + timeout;
  char chunk[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      received.timedOut = true;
      return received;
    }
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // timeout handled above
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n == 0) {
      received.closedByPeer = true;
      return received;
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      received.reset = true;
      return received;
    }
    received.bytes.append(chunk, static_cast<std::size_t>(n));
  }
}

/// The value of attribute `name` in the first element carrying it (plain string search).
inline std::string attributeOf(std::string_view xml, std::string_view name) {
  const std::string needle = " " + std::string(name) + "=\"";
  const auto start = xml.find(needle);
  if (start == std::string_view::npos) return {};
  const auto valueStart = start + needle.size();
  const auto end = xml.find('"', valueStart);
  if (end == std::string_view::npos) return {};
  return std::string(xml.substr(valueStart, end - valueStart));
}

inline std::size_t countOf(std::string_view haystack, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

/// The text inside SC_STATUS_MSG (CDATA markers removed).
inline std::string statusMessageOf(std::string_view reply) {
  const auto open = reply.find("<SC_STATUS_MSG>");
  const auto close = reply.find("</SC_STATUS_MSG>");
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  std::string text(reply.substr(open + 15, close - open - 15));
  for (std::string marker : {"<![CDATA[", "]]>"}) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker)) {
      text.erase(at, marker.size());
    }
  }
  return text;
}

struct Exchange : Received {
  bool connected = false;
  std::string statusCode() const { return attributeOf(bytes, "STATUS_CODE"); }
  std::string statusMessage() const { return statusMessageOf(bytes); }
};

/// One registration exchange as the published sample client does it: connect, write the
/// request, do NOT half-close, read until the server closes.
inline Exchange exchange(std::uint16_t serverPort, std::string_view request,
                         const std::string& sourceIp = "127.0.0.1",
                         milliseconds timeout = milliseconds(5000)) {
  Exchange result;
  Fd fd = connectTo(serverPort, sourceIp);
  if (!fd.valid()) return result;
  result.connected = true;
  if (!sendAll(fd.get(), request)) return result;
  static_cast<Received&>(result) = readToEof(fd.get(), timeout);
  return result;
}

// ---- Requests, written by hand ----

inline std::string registration(std::uint16_t callbackPort, std::string_view regType,
                                std::string_view body = "", std::string_view version = "1.0") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SC_CALLBACK_REG VERSION=\"" +
         std::string(version) + "\" PORT=\"" + std::to_string(callbackPort) + "\" regType=\"" +
         std::string(regType) + "\">" + std::string(body) + "</SC_CALLBACK_REG>";
}
inline std::string subscribeAll() { return "<SC_EVENT_REG CLASS=\"EC_Cluster\"/>"; }
inline std::string subscribeMembership() {
  return "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_membership\"/>";
}
inline std::string subscribeGroup(std::string_view rgName) {
  return "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_rg_state\"><NVPAIR><NAME>"
         "<![CDATA[rg_name]]></NAME><VALUE><![CDATA[" +
         std::string(rgName) + "]]></VALUE></NVPAIR></SC_EVENT_REG>";
}

/// A port on 127.0.0.1 where nothing listens (connections are refused).
inline std::uint16_t refusedPort() {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in any = ipv4("127.0.0.1", 0);
  ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any);
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  return ntohs(bound.sin_port);
}

}  // namespace crnp_test
