#pragma once
// One accepted callback connection (protocol section 3, client side): read to EOF under two
// deadlines (enforced by the listener's sweep, see expire()) and a size cap, then parse one
// SC_EVENT. The session never writes. It runs on its
// socket's strand and reports exactly one SessionResult.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
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

/// How often the listener checks its sessions' deadlines: a tenth of the shorter timeout,
/// between 1 ms and 100 ms (a timeout fires up to that much late).
std::chrono::milliseconds deadlineSweepInterval(std::chrono::milliseconds firstByte,
                                                std::chrono::milliseconds total);

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
  /// Whether any byte came (any thread): the first-byte deadline no longer applies.
  bool receivedAny() const { return receivedAny_.load(std::memory_order_relaxed); }
  /// One of the deadlines passed (the listener's sweep found it): reports TimedOut, with
  /// which one, unless already finished. Safe from any thread.
  void expire();

 private:
  void readSome();
  void onRead(const boost::system::error_code& ec, std::size_t bytes);
  void onEndOfStream();
  void finish(SessionOutcome outcome, std::string reason, std::optional<Event> event = {});

  boost::asio::ip::tcp::socket socket_;
  std::uint64_t sequence_;
  boost::asio::ip::address peer_;
  SessionTimeouts timeouts_;
  std::chrono::steady_clock::time_point started_{};
  ParseLimits limits_;
  Completion done_;
  bool finished_ = false;
  std::atomic<bool> receivedAny_{false};
  std::string received_;
  std::array<char, 8192> chunk_;  // not zeroed: only what a read filled is used
};

}  // namespace crnp::detail
