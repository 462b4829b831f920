#pragma once
// CRNP callback listener (protocol section 3, client side): accepts event connections, reads
// each to EOF under a time and size limit, parses one SC_EVENT, and hands events to a handler.
// CRNP has no acknowledgement: a connection the cluster got through to counts as delivered,
// so the listener never accepts what it will not read:
// - Peers outside the allowlist are closed at once, unread (they are not the cluster).
// - At `maxConnections` open it stops accepting; the kernel's backlog holds further
//   connections until a slot frees (a delay, not a loss).
// - `priorityPeers` (the CRNP servers' addresses) cannot be starved by other allowed
//   addresses: those share at most 3/4 of maxConnections, each at most
//   maxConnectionsPerPeer; a connection over that share is closed unread and counted.
// - A connection must send its first bytes within firstByteTimeout and be complete within
//   readTimeout, so idle and trickling connections free their slots.
// Events are handed over as their connections complete; one waits for an earlier connection
// from the same peer only while that one is younger than orderGrace (release_order.hpp has
// the rule), so a stalled connection delays others by at most orderGrace. Every reject is
// counted and logged; garbage, slowloris and floods cost bounded memory.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>

#include "crnp/address_filter.hpp"
#include "crnp/limits.hpp"
#include "crnp/messages.hpp"

namespace crnp {

struct CallbackListenerOptions {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v4::loopback(), 0};
  AddressFilter allowedPeers = AddressFilter::all();
  /// Addresses never starved by other allowed peers (the CRNP servers'). Empty: every allowed
  /// peer is treated alike (maxConnectionsPerPeer applies to all of them).
  AddressFilter priorityPeers{};
  std::size_t maxConnections = 256;
  /// Open connections of one address that is not a priority peer.
  std::size_t maxConnectionsPerPeer = 32;
  /// A connection that sends nothing for this long after being accepted is closed.
  std::chrono::milliseconds firstByteTimeout = kDefaultFirstByteTimeout;
  /// Time allowed for the whole document, from accept to EOF.
  std::chrono::milliseconds readTimeout = kDefaultReadTimeout;
  /// How long an incomplete connection may hold back later events of the same peer.
  std::chrono::milliseconds orderGrace = kDefaultOrderGrace;
  ParseLimits limits{};
  /// Where the handler runs. It must run one handler at a time (a strand, or one thread).
  /// Unset: a strand of the listener's executor. A component whose state lives on a strand
  /// passes that strand: an event then reaches it without one more hand-over between threads.
  std::optional<boost::asio::any_io_executor> handlerExecutor;
};

struct CallbackListenerStats {
  std::uint64_t accepted = 0;       ///< connections accepted from allowed peers
  std::uint64_t events = 0;         ///< events handed to the handler
  std::uint64_t rejectedPeer = 0;   ///< source IP not in the allowlist
  std::uint64_t rejectedShare = 0;  ///< non-priority peer over its share, closed unread
  std::uint64_t acceptPauses = 0;   ///< times accepting paused at maxConnections
  std::uint64_t parseErrors = 0;    ///< not one valid SC_EVENT
  std::uint64_t timedOut = 0;       ///< no first bytes in time, or not at EOF within readTimeout
  std::uint64_t tooLarge = 0;       ///< more than limits.maxBytes
  std::uint64_t ioErrors = 0;       ///< resets and other socket errors
  std::uint64_t open = 0;           ///< gauge: connections being read
  std::uint64_t waiting = 0;        ///< gauge: complete events held back by an earlier connection
};

using EventHandler = std::function<void(Event event, const boost::asio::ip::address& peer)>;

class CallbackListener {
 public:
  /// `handler` runs one call at a time, in release order (see above), on
  /// options.handlerExecutor or a strand of `executor`.
  CallbackListener(boost::asio::any_io_executor executor, CallbackListenerOptions options,
                   EventHandler handler);
  ~CallbackListener();
  CallbackListener(const CallbackListener&) = delete;
  CallbackListener& operator=(const CallbackListener&) = delete;

  /// Binds and starts accepting. Returns the bind/listen error, if any.
  std::error_code start();
  /// Closes the acceptor and every open connection; pending events are dropped. Idempotent.
  void stop();
  /// The bound endpoint (useful with port 0).
  boost::asio::ip::tcp::endpoint localEndpoint() const;
  /// Thread-safe snapshot of the counters.
  CallbackListenerStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace crnp
