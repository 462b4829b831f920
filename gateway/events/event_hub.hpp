#pragma once
// EventHub: where CRNP events enter the gRPC side. It numbers events, serializes each once
// into a SubscribeResponse shared by every stream, keeps a bounded ring for resume and the
// latest event of each type for snapshots, and hands events to attached subscribers without
// ever waiting for them.
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"
#include "resume_token.hpp"
#include "subscription_config.hpp"

namespace gateway {

/// One ingested event and its wire forms. Immutable once published (the snapshot form is
/// built on first use, once, thread-safely).
class StoredEvent {
 public:
  StoredEvent(std::uint64_t sequence, crnp::Event event,
              std::chrono::system_clock::time_point received, std::uint64_t epoch);
  /// The same, with `key` == crnp::eventKey(event) already at hand.
  StoredEvent(std::uint64_t sequence, crnp::Event event, crnp::EventType key,
              std::chrono::system_clock::time_point received, std::uint64_t epoch);

  std::uint64_t sequence;
  crnp::Event event;
  crnp::EventType key;  ///< crnp::eventKey(event)
  std::chrono::system_clock::time_point received;
  std::string resumeToken;  ///< token of the position right after this event
  /// SubscribeResponse{resume_token, event (snapshot=false)}; copies share its slice.
  grpc::ByteBuffer live;
  std::size_t bytes;  ///< size of `live`

  /// SubscribeResponse{resume_token, event (snapshot=true)}, built on the first call.
  const grpc::ByteBuffer& snapshot() const;

 private:
  mutable std::once_flag snapshotOnce_;
  mutable grpc::ByteBuffer snapshot_;
};

using StoredEventPtr = std::shared_ptr<const StoredEvent>;

/// Receives the events ingested while attached, in sequence order, on the ingesting thread
/// (not under the lock that attach, latest and the resume checks take): must not block and
/// must not call back into the hub.
class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  virtual void onEvent(const StoredEventPtr& event) = 0;
};

/// What a subscriber starts from; taken atomically with the attach, so the first event
/// reaching onEvent is the one right after `sequence`.
struct AttachResult {
  /// Snapshot (latest event of each key matching the types) or replay (every buffered event
  /// after the resume token matching the types), in sequence order.
  std::vector<StoredEventPtr> events;
  bool snapshot = true;        ///< false: `events` is a replay; no snapshot_end follows
  std::string resetReason;     ///< non-empty: a resume token was given but cannot be honoured
  std::uint64_t sequence = 0;  ///< the hub's last sequence at the attach
};

class EventHub {
 public:
  explicit EventHub(EventHubConfig config);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  /// Numbers, serializes and stores `event`, then hands it to every attached subscriber, and
  /// returns it. Never waits for a subscriber. Thread-safe (ingests are serialized).
  /// A repeat of the latest event of its key (crnp::equalForClients: ev_ pairs do not count)
  /// is not published and nullptr is returned: no sequence number, not in the ring, not handed
  /// to subscribers; duplicatesSuppressed() counts it. The CRNP server answers every
  /// ADD_CLIENT with the latest event of each type (and may deliver an event twice), so
  /// re-registering on a schedule would otherwise repeat the whole cluster state to every stream.
  StoredEventPtr ingest(crnp::Event event, std::chrono::system_clock::time_point received);

  /// The latest event of each known key matching any of `filter` (all when empty), in
  /// sequence order.
  std::vector<StoredEventPtr> latest(const std::vector<crnp::EventType>& filter) const;

  /// Starts delivering events to `subscriber`. Without `resume`: a snapshot for `types` (empty
  /// for no types). With it: a replay when its epoch is ours and every event after its
  /// sequence is still buffered; otherwise resetReason and a snapshot.
  AttachResult attach(EventSubscriber& subscriber, const std::vector<crnp::EventType>& types,
                      const std::optional<ResumeToken>& resume);
  /// After it returns, `subscriber` is never called again. Unknown subscribers are ignored.
  void detach(EventSubscriber& subscriber);

  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t lastSequence() const;
  /// Whether attach(resume = token) would replay rather than reset.
  bool canResume(const ResumeToken& token) const;
  std::size_t bufferedEvents() const;
  std::size_t bufferedBytes() const;
  std::size_t subscriberCount() const;
  /// Live forms serialized so far: one per published event, however many subscribers.
  std::uint64_t serializations() const { return serializations_.load(); }
  /// Ingested events not published because they repeated the latest event of their key.
  std::uint64_t duplicatesSuppressed() const { return duplicatesSuppressed_.load(); }

 private:
  std::optional<std::string> resumeProblemLocked(const ResumeToken& token) const;
  std::vector<StoredEventPtr> latestLocked(const std::vector<crnp::EventType>& filter) const;
  void rememberLatestLocked(const StoredEventPtr& stored);
  void evictLocked();

  const EventHubConfig config_;
  const std::uint64_t epoch_;
  std::atomic<std::uint64_t> serializations_{0};
  std::atomic<std::uint64_t> duplicatesSuppressed_{0};

  std::mutex ingestMutex_;          // orders ingests; held while serializing and handing out
  mutable std::mutex mutex_;        // the state below; held only to append and hand out pointers
  std::uint64_t lastSequence_ = 0;  // written holding both mutexes
  std::deque<StoredEventPtr> ring_;
  std::size_t ringBytes_ = 0;
  // Written holding both mutexes, so ingest reads it holding ingestMutex_ alone.
  std::map<crnp::EventType, StoredEventPtr> latest_;
  // Copy-on-write: attach/detach replace it, an ingest takes it in O(1) and hands its event out
  // after releasing mutex_.
  using SubscriberList = std::shared_ptr<const std::vector<EventSubscriber*>>;
  SubscriberList subscribers_ = std::make_shared<const std::vector<EventSubscriber*>>();
};

}  // namespace gateway
