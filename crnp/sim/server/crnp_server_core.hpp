#pragma once
// The state of the CRNP server behind its sockets: registrations (ClientRegistry), their
// persistence (StateStore), one DeliveryQueue per client, and the latest event of each type.
//
// Locking: changeMutex_ serialises every change of the registrations together with its
// state-file write (evaluate, persist, then commit, so a failed write changes nothing);
// stateMutex_ guards the in-memory tables and is held only briefly, never across I/O, so
// publish() does not wait for a state-file write. Order: changeMutex_, stateMutex_, a queue's.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "client_registry.hpp"
#include "crnp/sim/crnp_server.hpp"
#include "delivery_queue.hpp"
#include "latest_events.hpp"
#include "server_counters.hpp"
#include "state_store.hpp"

namespace crnp::sim {

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(boost::asio::any_io_executor executor, const ServerConfig& config,
             std::shared_ptr<FaultInjector> faults, std::shared_ptr<ServerCounters> counters);

  /// Loads the state file and creates a queue per loaded client. `*why` explains a failure.
  std::error_code load(std::string* why);
  /// Recovery after a restart: queues, for each client, every provider event matching one of
  /// its types, each once, in the provider's order.
  void recover(const CurrentStateProvider& provider);

  /// Applies one parsed registration from `source` and answers it.
  Reply apply(const boost::asio::ip::address& source, const Registration& request);

  std::size_t publish(const Event& event);
  void seedLatest(const std::vector<Event>& events);
  std::vector<ClientInfo> clients() const;

  /// Closes every queue; later requests are answered RETRY and nothing is persisted again.
  void stop();

 private:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  using QueuePtr = std::shared_ptr<DeliveryQueue>;

  /// Writes `clients` to the state file (or fails as the FailPersist fault says).
  std::error_code persist(const std::vector<ClientRegistration>& clients);
  /// stateMutex_ held: the queue of `callback`, created if missing.
  QueuePtr queueFor(const Endpoint& callback);
  /// stateMutex_ held: pushes documents, collecting queues that overflowed.
  void pushAll(const QueuePtr& queue,
               const std::vector<std::shared_ptr<const std::string>>& documents,
               std::vector<QueuePtr>& overflowed);
  /// Removes the client of `queue` if that queue still serves it (after failed deliveries or
  /// overflow), persists, counts and logs. Runs on the executor, never under a lock.
  void removeFailedClient(const QueuePtr& queue, const std::string& reason);
  void scheduleRemoval(const QueuePtr& queue, std::string reason);

  boost::asio::any_io_executor executor_;
  DeliverySettings delivery_;
  std::size_t maxClients_;
  std::shared_ptr<FaultInjector> faults_;
  std::shared_ptr<ServerCounters> counters_;
  StateStore store_;

  std::mutex changeMutex_;
  mutable std::mutex stateMutex_;
  ClientRegistry registry_;
  std::map<Endpoint, QueuePtr> queues_;
  LatestEvents latest_;
  std::uint64_t sequence_ = 0;
  bool stopped_ = false;
};

}  // namespace crnp::sim
