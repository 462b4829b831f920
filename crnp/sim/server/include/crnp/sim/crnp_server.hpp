#pragma once
// The simulated cl_apid: a faithful CRNP server (protocol reference sections 2, 3, 6, 7b).
// Registration: one request per connection, answered as soon as the root element closes.
// Delivery: one ordered queue per client, one TCP connection per event, retries then silent
// removal. Registrations persist in ServerConfig::stateFile; after a restart every client gets
// one current-state event per registered type (from the current-state provider).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>
#include <vector>

#include "crnp/messages.hpp"
#include "crnp/sim/faults.hpp"
#include "crnp/sim/server_config.hpp"

namespace crnp::sim {

struct ClientInfo {
  boost::asio::ip::tcp::endpoint callback;  ///< source IP of ADD_CLIENT + PORT
  std::vector<EventType> types;
  std::uint64_t delivered = 0;
  std::uint64_t failedAttempts = 0;
  std::size_t queued = 0;
};

struct ServerStats {
  std::uint64_t requests = 0;           ///< registration connections answered or dropped
  std::uint64_t repliesByCode[9] = {};  ///< indexed by StatusCode
  std::uint64_t delivered = 0;
  std::uint64_t deliveryFailures = 0;
  std::uint64_t clientsRemoved = 0;       ///< removed after failed deliveries or overflow
  std::uint64_t connectionsRejected = 0;  ///< over maxConnections, closed at once
  std::uint64_t requestTimeouts = 0;      ///< no complete request within requestTimeout
  std::uint64_t persistFailures = 0;      ///< state-file writes that failed
};

using CurrentStateProvider = std::function<std::vector<Event>()>;

class CrnpServer {
 public:
  CrnpServer(boost::asio::any_io_executor executor, ServerConfig config);
  ~CrnpServer();
  CrnpServer(const CrnpServer&) = delete;
  CrnpServer& operator=(const CrnpServer&) = delete;

  /// Loads the state file (if any), binds, accepts; after loading registrations, queues one
  /// current-state event per registered type for each client (recovery).
  std::error_code start();
  /// Closes the acceptor, open connections and deliveries. Idempotent, any thread.
  void stop();
  boost::asio::ip::tcp::endpoint localEndpoint() const;

  /// Delivers `event` to every matching client and records it as the latest of its type
  /// (crnp::eventKey). Thread-safe. Returns how many clients it was queued for.
  std::size_t publish(const Event& event);
  /// Records events as the latest of their types without delivering (initial cluster state).
  void seedLatest(const std::vector<Event>& events);
  /// Source of current-state events for recovery; set before start().
  void setCurrentStateProvider(CurrentStateProvider provider);

  std::vector<ClientInfo> clients() const;  ///< thread-safe
  ServerStats stats() const;                ///< thread-safe
  FaultInjector& faults();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace crnp::sim
