#pragma once
// SubscribeReactor: one server-streaming Subscribe call. It starts from an EventHub attach
// (snapshot or replay), then writes what its StreamQueue gives (live events within the
// stream's limits, heartbeats on quiet streams, going_away at its maximum age or at shutdown),
// one write in flight. It never blocks: events arrive on the ingesting thread and only append
// to the queue. The reactor's own state is the gRPC side: started, a write in flight, ending.
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "event_hub.hpp"
#include "latency_histogram.hpp"
#include "stream_call_observer.hpp"
#include "stream_queue.hpp"
#include "stream_timers.hpp"

namespace gateway {

class SubscribeReactor;

/// What the streams count, for metrics (any thread; relaxed atomics).
struct StreamCounters {
  std::atomic<std::uint64_t> snapshots{0};  ///< streams that started with a snapshot
  std::atomic<std::uint64_t> resumes{0};    ///< streams that resumed with a replay
  std::atomic<std::uint64_t> resets{0};     ///< resume tokens that could not be honoured
  std::atomic<std::uint64_t> tooSlow{0};    ///< streams ended SUBSCRIBER_TOO_SLOW
  /// Live event received by the gateway -> its write started on a stream.
  LatencyHistogram delivery;
};

/// Told when a stream is over (from OnDone, before the reactor deletes itself); after it
/// returns the owner must not touch the reactor again.
class StreamOwner {
 public:
  virtual ~StreamOwner() = default;
  virtual void streamDone(SubscribeReactor* stream) = 0;
  virtual StreamCounters& counters() = 0;
  virtual StreamCallObserver& callObserver() = 0;
};

struct StreamSettings {
  std::string registrationId;
  std::chrono::milliseconds heartbeat = defaults::kHeartbeat;
  std::chrono::milliseconds maxAge{0};  ///< already jittered; zero: no limit
  std::size_t maxQueueEvents = defaults::kStreamQueueEvents;
  std::size_t maxQueueBytes = defaults::kStreamQueueBytes;
  std::size_t maxBatch = 1;  ///< SubscribeRequest.max_batch (1: no batches)
};

class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                               public EventSubscriber,
                               private StreamTimers::Client {
 public:
  SubscribeReactor(EventHub& hub, StreamOwner& owner, StreamTimers& timers,
                   StreamSettings settings);

  /// Attaches to the hub with the registration's `types` (unless updateTypes came first) and
  /// starts writing. Called once, before the reactor is handed to gRPC.
  void start(std::vector<crnp::EventType> types, const std::optional<ResumeToken>& resume);
  /// Replaces the filter for the events that follow.
  void updateTypes(std::vector<crnp::EventType> types);
  /// Stops taking events, writes what is queued, then going_away{reason} and Finish(OK).
  void goAway(std::string reason);
  /// Ends the stream with `status` (once; later calls are ignored).
  void finish(grpc::Status status);

  const std::string& registrationId() const { return settings_.registrationId; }
  /// Live events queued, not yet written (for metrics).
  std::size_t queuedEvents() const;

  // EventSubscriber
  void onEvent(const StoredEventPtr& event) override;
  void onFellBehind() override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  using Timer = StreamTimers::Kind;

  ~SubscribeReactor() override = default;

  void goAwayLocked(std::string reason);
  void pumpLocked();
  void finishLocked(grpc::Status status);
  void armLocked(Timer timer, std::chrono::steady_clock::time_point deadline);
  void onTimer(Timer timer) override;
  std::string tokenFor(std::uint64_t position) const;

  EventHub& hub_;
  StreamOwner& owner_;
  const StreamSettings settings_;
  StreamTimers& timers_;
  const StreamTimers::Id timerId_;

  mutable std::mutex mutex_;
  std::vector<crnp::EventType> types_;
  bool typesPushed_ = false;  // updateTypes ran before start: its types win
  bool writing_ = false;      // one write in flight
  bool finishing_ = false;    // Finish (or WriteAndFinish) called
  StreamQueue queue_;
  std::chrono::steady_clock::time_point lastWrite_;
  grpc::ByteBuffer current_;  // the message in flight; unchanged until OnWriteDone
  grpc::StatusCode finalCode_ = grpc::StatusCode::OK;  // what the call ended with
};

}  // namespace gateway
