#pragma once
// One Subscribe stream of the load client (gRPC callback API). It reads until cancelled and
// keeps, for the load client's current phase, what it saw: live events with their two
// latencies (from the event's received_time, and from the cluster's ev_emit_time_ns stamp when
// present), message count and bytes, and when it had the storm's last event.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "crnp/gateway/v1/gateway.grpc.pb.h"

namespace bench {

namespace pb = crnp::gateway::v1;

/// What every stream reports to, shared by all streams of the client (thread-safe).
struct StreamBoard {
  std::atomic<std::size_t> ready{0};             ///< streams that had snapshot_end
  std::atomic<std::size_t> done{0};              ///< streams whose OnDone ran
  std::atomic<std::size_t> failed{0};            ///< streams that ended before being cancelled
  std::atomic<std::size_t> stormDone{0};         ///< streams that had `stormEvents` live events
  std::atomic<std::int64_t> lastReadyNs{0};      ///< wall clock of the latest snapshot_end
  std::atomic<std::uint32_t> snapshotEvents{0};  ///< event_count of the latest snapshot_end
  std::atomic<std::int64_t> lastEventNs{0};      ///< wall clock of the latest event message
  std::atomic<bool> recording{false};            ///< count live events (the measuring window)
  std::atomic<std::uint32_t> stormEvents{0};     ///< storm armed: events each stream awaits
  std::mutex errorMutex;
  std::string firstError;
};

/// Samples of one stream in the current phase (moved out by StreamState::take).
struct StreamSamples {
  std::uint64_t events = 0;    ///< live events (each event of a batch counts)
  std::uint64_t messages = 0;  ///< SubscribeResponse messages carrying them
  std::uint64_t bytes = 0;     ///< serialized size of those messages
  std::vector<std::int64_t> fromReceivedUs;
  std::vector<std::int64_t> fromEmissionUs;
  std::int64_t firstEmissionNs = 0;  ///< earliest emission stamp seen (storm start)
  std::int64_t lastArrivalNs = 0;    ///< when the latest counted event arrived
};

class SubscribeStream final : public grpc::ClientReadReactor<pb::SubscribeResponse> {
 public:
  SubscribeStream(StreamBoard& board, const std::string& registrationId, std::uint32_t maxBatch);

  void start(pb::CrnpGateway::Stub& stub);
  void cancel() {
    cancelled_ = true;
    context_.TryCancel();
  }
  /// The samples since the last take (the phase's), leaving an empty set.
  StreamSamples take();

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void countEvent(const pb::ClusterEvent& event, std::int64_t nowNs);
  void onMessage(std::int64_t nowNs);

  StreamBoard& board_;
  grpc::ClientContext context_;
  pb::SubscribeRequest request_;
  pb::SubscribeResponse response_;
  std::atomic<bool> cancelled_{false};
  bool sawSnapshotEnd_ = false;
  std::uint32_t stormCount_ = 0;  ///< live events since the storm was armed (reactor only)
  std::uint32_t stormArmed_ = 0;  ///< the board's stormEvents this count belongs to
  std::mutex mutex_;              ///< samples_: the reactor writes, the main thread takes
  StreamSamples samples_;
};

}  // namespace bench
