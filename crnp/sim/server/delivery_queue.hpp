#pragma once
// Event delivery to one registered client (protocol section 3): an ordered, bounded queue;
// one delivery in flight; each event on a new TCP connection to the callback address
// (connect, write one SC_EVENT document, shut down both directions, close), all within
// Client_timeout. A failed attempt is retried Client_retry_count times, Client_retry_interval
// apart; then the queue closes and reports to its owner, which removes the client. Queues are
// independent, so a slow or dead client never delays another.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "crnp/sim/faults.hpp"
#include "server_counters.hpp"

namespace crnp::sim {

struct DeliverySettings {
  std::chrono::milliseconds clientTimeout{60'000};
  unsigned retryCount = 3;
  std::chrono::milliseconds retryInterval{1'800'000};
  std::size_t maxQueued = 10'000;
};

class DeliveryQueue : public std::enable_shared_from_this<DeliveryQueue> {
 public:
  enum class PushResult { Queued, Overflow, Closed };
  struct Status {
    std::uint64_t delivered = 0;
    std::uint64_t failedAttempts = 0;
    std::size_t queued = 0;  ///< waiting, the one in flight included
  };
  /// Called once, on the queue's strand, when every attempt for an event failed.
  using GiveUpHandler = std::function<void(const std::shared_ptr<DeliveryQueue>&)>;

  DeliveryQueue(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint callback,
                DeliverySettings settings, std::shared_ptr<FaultInjector> faults,
                std::shared_ptr<ServerCounters> counters, GiveUpHandler onGiveUp);

  /// Thread-safe. On Overflow (queue full) the queue closes itself and drops what it held:
  /// the owner must remove the client.
  PushResult push(std::shared_ptr<const std::string> document);
  /// Drops pending events and aborts the attempt in flight. Thread-safe, idempotent.
  void close();
  Status status() const;
  /// True once closed (by close(), overflow, or after giving up): it delivers nothing more.
  bool closed() const;
  const boost::asio::ip::tcp::endpoint& callback() const { return callback_; }

 private:
  void attemptFront();
  void finishAttempt(std::uint64_t attempt, boost::system::error_code ec);
  void onFailure(const boost::system::error_code& ec);
  void abortOnStrand();

  const boost::asio::ip::tcp::endpoint callback_;
  const DeliverySettings settings_;
  const std::shared_ptr<FaultInjector> faults_;
  const std::shared_ptr<ServerCounters> counters_;
  const GiveUpHandler onGiveUp_;

  // Used on strand_ only.
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer retryTimer_;
  std::uint64_t attempt_ = 0;  ///< id of the current attempt; older handlers are stale
  bool attemptOpen_ = false;
  unsigned failuresOfFront_ = 0;

  // Shared with push() / close() / status() from any thread.
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> pending_;
  bool running_ = false;  ///< an attemptFront() chain is active
  bool closed_ = false;
  std::uint64_t delivered_ = 0;
  std::uint64_t failedAttempts_ = 0;
};

}  // namespace crnp::sim
