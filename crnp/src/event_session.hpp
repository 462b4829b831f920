#pragma once
// One accepted callback connection (protocol section 3, client side): read to EOF under two
// deadlines and a size cap, then parse one SC_EVENT. The session never writes. It runs on its
// socket's strand and reports exactly one SessionResult.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "crnp/limits.hpp"
#include "crnp/messages.hpp"

namespace crnp::detail {

enum class SessionOutcome { Event, ParseError, TimedOut, TooLarge, IoError, Aborted };

struct SessionResult {
  std::uint64_t sequence = 0;
  boost::asio::ip::address peer;
  SessionOutcome outcome = SessionOutcome::Aborted;
  std::optional<Event> event;  ///< set when outcome == Event
  std::string reason;          ///< why it failed, for the log
};

struct SessionTimeouts {
  /// From start() to the first byte: a CRNP server writes at once, an idle peer holds a slot.
  std::chrono::milliseconds firstByte;
  /// From start() to EOF, not an idle timeout: a peer that trickles bytes is cut all the same.
  std::chrono::milliseconds total;
};

class EventSession : public std::enable_shared_from_this<EventSession> {
 public:
  using Completion = std::function<void(SessionResult)>;

  /// `socket` must have a strand as its executor: every handler of the session runs there.
  EventSession(boost::asio::ip::tcp::socket socket, std::uint64_t sequence,
               boost::asio::ip::address peer, SessionTimeouts timeouts, ParseLimits limits,
               Completion done);

  void start();
  /// Closes the connection; safe from any thread. Reports Aborted unless already finished.
  void abort();

 private:
  void awaitDeadline();
  void onDeadline();
  void readSome();
  void onRead(const boost::system::error_code& ec, std::size_t bytes);
  void onEndOfStream();
  void finish(SessionOutcome outcome, std::string reason, std::optional<Event> event = {});

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  std::uint64_t sequence_;
  boost::asio::ip::address peer_;
  SessionTimeouts timeouts_;
  std::chrono::steady_clock::time_point started_{};
  ParseLimits limits_;
  Completion done_;
  bool finished_ = false;
  std::string received_;
  std::array<char, 8192> chunk_{};
};

}  // namespace crnp::detail
