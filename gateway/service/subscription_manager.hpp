#pragma once
// SubscriptionManager: creates the reactor of each Subscribe call (the raw method of the
// CrnpGateway service forwards here), keeps track of the live streams per registration, and
// ends them when their registration goes away or the gateway shuts down.
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "config_defaults.hpp"
#include "crnp/messages.hpp"
#include "event_hub.hpp"
#include "stream_call_observer.hpp"
#include "stream_timers.hpp"
#include "subscribe_reactor.hpp"
#include "subscription_config.hpp"

namespace grpc {
class CallbackServerContext;
}

namespace gateway {

class SubscriptionManager final : private StreamOwner {
 public:
  /// The event types of a registration, or nullopt when there is no such registration.
  /// Called without any of the manager's locks held.
  using RegistrationLookup =
      std::function<std::optional<std::vector<crnp::EventType>>(const std::string& id)>;

  /// `limits` (maxIdLength) checks the registration id of each request, as Register does.
  /// `observer` learns of every call, message and result, for the gRPC server metrics.
  SubscriptionManager(EventHub& hub, RegistrationLookup lookup, SubscriptionConfig config,
                      RegistrationLimits limits = {},
                      StreamCallObserver& observer = StreamCallObserver::none());
  /// Every stream must be over (after Server::Shutdown and Wait) before destruction.
  ~SubscriptionManager() override;
  SubscriptionManager(const SubscriptionManager&) = delete;
  SubscriptionManager& operator=(const SubscriptionManager&) = delete;

  /// The reactor for one Subscribe call; `request` is a serialized SubscribeRequest. Errors
  /// (bytes that do not parse: INVALID_ARGUMENT/MALFORMED_REQUEST, a bad registration id:
  /// INVALID_ARGUMENT/INVALID_REGISTRATION_ID, other bad fields: INVALID_ARGUMENT, unknown
  /// registration: NOT_FOUND, shut down: UNAVAILABLE, too many streams: RESOURCE_EXHAUSTED)
  /// come back as a reactor that just finishes.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request);

  /// The registration's types changed (its streams filter by the new ones from now on) or,
  /// with nullopt, it was removed (its streams end with NOT_FOUND). Call in the order of the
  /// changes.
  void registrationChanged(const std::string& id,
                           const std::optional<std::vector<crnp::EventType>>& types);

  /// Refuses new streams (UNAVAILABLE) and sends every stream going_away with its resume
  /// token after what it has queued, then ends it with OK. Does not wait; see waitUntilIdle.
  void shutdown();

  /// Waits (outside any reaction, e.g. in main during shutdown) until no stream is left.
  bool waitUntilIdle(std::chrono::steady_clock::time_point deadline);

  std::size_t activeStreams() const;

  /// For metrics: the streams' counters, and the live events queued over all streams.
  struct Stats {
    std::size_t streams = 0;
    std::size_t queuedEvents = 0;     ///< over all streams
    std::size_t maxQueuedEvents = 0;  ///< the longest queue
    std::uint64_t snapshots = 0;
    std::uint64_t resumes = 0;
    std::uint64_t resets = 0;
    std::uint64_t tooSlow = 0;
    LatencyHistogram::Snapshot delivery;
  };
  Stats stats() const;

 private:
  void streamDone(SubscribeReactor* stream) override;
  StreamCounters& counters() override { return counters_; }
  StreamCallObserver& callObserver() override { return observer_; }
  std::chrono::milliseconds drawMaxAgeLocked();

  EventHub& hub_;
  const RegistrationLookup lookup_;
  const SubscriptionConfig config_;
  const RegistrationLimits limits_;

  StreamCounters counters_;
  StreamCallObserver& observer_;
  // Every stream's heartbeat and age deadlines (one thread); outlives the streams, which end
  // before the manager is destroyed.
  StreamTimers timers_;
  mutable std::mutex mutex_;  // order: mutex_, then a stream's lock; never the reverse
  std::condition_variable idle_;
  bool shuttingDown_ = false;
  using Streams = std::multimap<std::string, SubscribeReactor*>;
  Streams streams_;  // by registration id
  // Where each stream is in streams_, so that ending one does not search every stream of its
  // registration (O(N^2) when N streams follow one registration and all end).
  std::unordered_map<SubscribeReactor*, Streams::iterator> positions_;
  std::mt19937_64 random_;
};

}  // namespace gateway
