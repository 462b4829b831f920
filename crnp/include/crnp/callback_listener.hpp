#pragma once
// CRNP callback listener (protocol section 3, client side): accepts event connections, reads
// each to EOF under a time and size limit, parses one SC_EVENT, and hands events to a handler
// in the order their connections were accepted. Peers outside the allowlist are closed at
// once; at most `maxConnections` are open, further ones are closed and counted. Every reject
// is counted and logged; garbage, slowloris and floods cost bounded memory.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include "crnp/address_filter.hpp"
#include "crnp/limits.hpp"
#include "crnp/messages.hpp"

namespace crnp {

struct CallbackListenerOptions {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v4::loopback(), 0};
  AddressFilter allowedPeers = AddressFilter::all();
  std::size_t maxConnections = 256;
  std::chrono::milliseconds readTimeout = kDefaultReadTimeout;
  ParseLimits limits{};
};

struct CallbackListenerStats {
  std::uint64_t accepted = 0;      ///< connections accepted from allowed peers
  std::uint64_t events = 0;        ///< events handed to the handler
  std::uint64_t rejectedPeer = 0;  ///< source IP not in the allowlist
  std::uint64_t rejectedBusy = 0;  ///< over maxConnections
  std::uint64_t parseErrors = 0;   ///< not one valid SC_EVENT
  std::uint64_t timedOut = 0;      ///< not at EOF within readTimeout
  std::uint64_t tooLarge = 0;      ///< more than limits.maxBytes
  std::uint64_t ioErrors = 0;      ///< resets and other socket errors
  std::uint64_t open = 0;          ///< gauge: connections being read or waiting for their turn
};

using EventHandler = std::function<void(Event event, const boost::asio::ip::address& peer)>;

class CallbackListener {
 public:
  /// `handler` runs on `executor`, one call at a time, in accept order.
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
