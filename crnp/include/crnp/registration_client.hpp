#pragma once
// CRNP registration client: one exchange per connection (protocol section 2).
// Resolve, connect (with timeout), write one SC_CALLBACK_REG, read to EOF (with timeout and a
// size limit), parse one SC_REPLY. The outcome tells transport failures apart so callers can
// decide: refused / reset -> another server or later, timeout -> register again, etc.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crnp/limits.hpp"
#include "crnp/messages.hpp"

namespace crnp {

struct ServerAddress {
  std::string host;
  std::uint16_t port = 9444;
  std::string toString() const;  ///< "host:port" ("[v6]:port" for IPv6 literals)
  /// Parses "host:port", "[v6]:port" or "host" (default port 9444); nullopt if bad.
  static std::optional<ServerAddress> parse(std::string_view text);
};

struct RegistrationClientOptions {
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds replyTimeout{10000};  ///< from the end of the write to EOF
  /// Source address to bind before connecting (the server calls back this IP).
  std::optional<boost::asio::ip::address> localAddress;
  ParseLimits limits{64 * 1024, 16, 1000};
};

enum class RegistrationOutcome {
  Replied,            ///< a well-formed SC_REPLY arrived; see reply->code
  ResolveFailed,      ///< host name did not resolve
  ConnectionRefused,  ///< nothing listens there
  ConnectTimeout,     ///< no connection within connectTimeout
  ReplyTimeout,       ///< connected and wrote, but no complete reply within replyTimeout
  ConnectionReset,    ///< peer reset the connection (or closed it without any reply)
  MalformedReply,     ///< reply bytes are not one valid SC_REPLY
  NetworkError        ///< any other socket error
};

std::string_view toString(RegistrationOutcome outcome);

struct RegistrationResult {
  RegistrationOutcome outcome = RegistrationOutcome::NetworkError;
  std::optional<Reply> reply;                            ///< set when outcome == Replied
  std::string detail;                                    ///< human-readable cause
  std::string server;                                    ///< "host:port" asked
  std::optional<boost::asio::ip::address> localAddress;  ///< source IP used, once connected
};

using RegistrationHandler = std::function<void(RegistrationResult)>;

/// Runs one registration exchange asynchronously on `executor`; `handler` runs exactly once,
/// on that executor.
void asyncRegister(boost::asio::any_io_executor executor, const ServerAddress& server,
                   const Registration& registration, const RegistrationClientOptions& options,
                   RegistrationHandler handler);

}  // namespace crnp
