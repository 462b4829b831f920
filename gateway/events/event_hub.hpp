#pragma once
// EventHub: where CRNP events enter the gRPC side. It numbers events, serializes each once
// into a SubscribeResponse shared by every stream, keeps a bounded ring for resume and the
// latest event of each type for snapshots, and hands events to attached subscribers without
// ever waiting for them.
//
// Two stages, so that an event's cost on the ingesting thread (the CRNP side's I/O) does not
// grow with the number of streams: ingest() numbers, serializes, appends to the ring (resume)
// and to the fan-out's backlog, then signals the fan-out; deliverPending() (on the fan-out's
// thread) hands the backlog to the subscribers. The backlog is bounded (EventHubConfig); a
// fan-out that falls behind it tells the subscribers it could not serve (onFellBehind) instead
// of losing events silently.
//
// Durability (with an EventJournal, wired by the app; docs/operations.md). The rules:
// - A sequence number is never given to two events of one epoch, even across a kill -9: the
//   hub numbers only up to the journal's durable reservation (reserved in blocks ahead of use,
//   off the ingesting thread), a restart continues after it. Should the journal fail to raise
//   it in time (a disk that stays full), the hub abandons the journal and moves to a new random
//   epoch (every older token resets) rather than number beyond it.
// - Resume does not assume consecutive numbers: the hub keeps "every event after coveredAfter
//   is in the ring" explicitly, so numbers may have gaps (after a crash, or given from outside
//   with ingestAt).
// - After a clean stop every retained token resumes. After a crash the events of the last,
//   unflushed batch may have been published and lost: the journal knows the last number
//   published (a watermark in memory-mapped file, see eventlog/published_watermark.hpp); tokens
//   before it get `reset` with that reason (never a silent gap), a token at it resumes. When
//   nothing was lost, every retained token resumes as after a clean stop; when the watermark
//   cannot be trusted (a reboot), every token from before the crash resets. Tokens ahead of
//   the hub or before the ring also reset, with their reason.
// - Persistence never runs on the ingesting thread and never delays live delivery: append()
//   only queues; the journal writes in batches on its own thread.
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"
#include "event_journal.hpp"
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

/// Receives the events ingested after its attach, in sequence order, on the fan-out's thread
/// (not under the lock that ingest, attach, latest and the resume checks take): must not block
/// and must not call back into the hub.
class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  virtual void onEvent(const StoredEventPtr& event) = 0;
  /// Events after the last one handed to this subscriber left the fan-out's backlog before
  /// they were handed out: the subscriber cannot be served in order any more (its client must
  /// resume, which resets). The hub has removed it: nothing more is handed to it.
  virtual void onFellBehind() = 0;
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
  /// Called by ingest when the fan-out has work and was idle; must arrange for
  /// deliverPending() to run soon (on another thread: it must not wait for it). Empty: ingest
  /// runs deliverPending() itself (one stage, as tests and benchmarks of the hand-out want).
  using FanoutSignal = std::function<void()>;

  /// `journal` (optional, must outlive the hub) receives every published event; `recovered`
  /// (optional) is where a restarted hub continues from: its epoch, numbering, ring (within
  /// `config`'s bounds) and latest events.
  explicit EventHub(EventHubConfig config, FanoutSignal signalFanout = {},
                    EventJournal* journal = nullptr,
                    std::optional<RecoveredEvents> recovered = std::nullopt);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  /// Numbers, serializes and appends `event` to the ring, signals the fan-out, and returns it.
  /// O(1) in the number of subscribers; never waits for one. Thread-safe (ingests are
  /// serialized).
  /// A repeat of the latest event of its key (crnp::equalForClients: ev_ pairs do not count)
  /// is not published and nullptr is returned: no sequence number, not in the ring, not handed
  /// to subscribers; duplicatesSuppressed() counts it. The CRNP server answers every
  /// ADD_CLIENT with the latest event of each type (and may deliver an event twice), so
  /// re-registering on a schedule would otherwise repeat the whole cluster state to every stream.
  StoredEventPtr ingest(crnp::Event event, std::chrono::system_clock::time_point received);
  /// The same with the sequence given from outside (e.g. a store's revision; gaps allowed). Not
  /// published (nullptr) when `sequence` is not above lastSequence(). Not for hubs with a
  /// journal, whose reservation it bypasses.
  StoredEventPtr ingestAt(std::uint64_t sequence, crnp::Event event,
                          std::chrono::system_clock::time_point received);

  /// Events numbered after lastSequence() up to `through` will never be ingested here (a
  /// replica whose watch of a shared log was compacted past them): every subscriber attached
  /// now is told onFellBehind (its client resumes, and resets), tokens before `through` reset,
  /// and numbering continues after it. `latest` (the latest event of keys as the source knows
  /// them, numbered up to `through`) replaces what the hub has of those keys where newer, so
  /// that snapshots show the current state. Nothing when `through` is not above
  /// lastSequence().
  void declareGap(std::uint64_t through, std::vector<JournalEntry> latest = {});

  /// The latest event of each known key matching any of `filter` (all when empty), in
  /// sequence order.
  std::vector<StoredEventPtr> latest(const std::vector<crnp::EventType>& filter) const;

  /// Starts delivering events to `subscriber`. Without `resume`: a snapshot for `types` (empty
  /// for no types). With it: a replay when its epoch is ours and every event after its
  /// sequence is still buffered; otherwise resetReason and a snapshot.
  AttachResult attach(EventSubscriber& subscriber, const std::vector<crnp::EventType>& types,
                      const std::optional<ResumeToken>& resume);
  /// After it returns, `subscriber` is never called again. Unknown subscribers (and those the
  /// fan-out removed after onFellBehind) are ignored. Not from within onEvent / onFellBehind.
  void detach(EventSubscriber& subscriber);

  /// Hands every event appended since the last call to the subscribers attached before it, in
  /// sequence order; returns when none is left. Calls are serialized.
  void deliverPending();

  std::uint64_t epoch() const { return epoch_.load(); }
  std::uint64_t lastSequence() const;
  /// Whether attach(resume = token) would replay rather than reset.
  bool canResume(const ResumeToken& token) const;
  std::size_t bufferedEvents() const;
  std::size_t bufferedBytes() const;
  std::size_t subscriberCount() const;
  /// Every event after this sequence (through lastSequence()) is in the ring.
  std::uint64_t coveredAfter() const;
  /// Events published by this hub (not counting those recovered).
  std::uint64_t published() const { return published_.load(); }
  /// Live forms serialized so far: one per published event, however many subscribers.
  std::uint64_t serializations() const { return serializations_.load(); }
  /// Ingested events not published because they repeated the latest event of their key.
  std::uint64_t duplicatesSuppressed() const { return duplicatesSuppressed_.load(); }
  /// Events dropped from the fan-out's backlog before they were handed out (the subscribers
  /// that missed them were told with onFellBehind).
  std::uint64_t fanoutOverruns() const { return fanoutOverruns_.load(); }

 private:
  StoredEventPtr publish(std::optional<std::uint64_t> sequence, crnp::Event event,
                         std::chrono::system_clock::time_point received);
  void recover(RecoveredEvents recovered);
  void abandonJournal();
  std::optional<std::string> resumeProblemLocked(const ResumeToken& token) const;
  std::vector<StoredEventPtr> latestLocked(const std::vector<crnp::EventType>& filter) const;
  void rememberLatestLocked(const StoredEventPtr& stored);
  void evictLocked();

  const EventHubConfig config_;
  std::atomic<std::uint64_t> epoch_;  // changes only when the journal is abandoned
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> serializations_{0};
  std::atomic<std::uint64_t> duplicatesSuppressed_{0};
  std::atomic<std::uint64_t> fanoutOverruns_{0};
  const FanoutSignal signalFanout_;

  std::mutex ingestMutex_;          // orders ingests; held while serializing
  std::mutex deliverMutex_;         // orders hand-outs; detach() waits on it
  mutable std::mutex mutex_;        // the state below; held only to append and hand out pointers
  std::uint64_t lastSequence_ = 0;  // written holding both ingestMutex_ and mutex_
  EventJournal* journal_;           // under ingestMutex_; nullptr once abandoned
  std::uint64_t coveredAfter_ = 0;  // every event after it is in ring_
  // After a recovery from a crash: coveredAfter_ as recovered, and the durable end, for the
  // reset reason of tokens from before the crash.
  std::uint64_t crashCoverage_ = 0;
  std::uint64_t durableThroughAtCrash_ = 0;
  // The fan-out's queue: published events not handed out yet, oldest first.
  std::deque<StoredEventPtr> backlog_;
  std::size_t backlogBytes_ = 0;
  std::uint64_t droppedThrough_ = 0;  // last sequence dropped from backlog_ unseen
  std::uint64_t handedThrough_ = 0;   // last sequence handed out (or its drop reported)
  bool fanoutSignalled_ = false;      // a deliverPending() is due or running
  std::deque<StoredEventPtr> ring_;
  std::size_t ringBytes_ = 0;
  // Written holding both mutexes, so ingest reads it holding ingestMutex_ alone.
  std::map<crnp::EventType, StoredEventPtr> latest_;
  struct Attached {
    EventSubscriber* subscriber;
    std::uint64_t after;  ///< lastSequence_ at its attach: it got what came before
  };
  // Copy-on-write: the fan-out takes it in O(1) and hands events out after releasing mutex_;
  // attach/detach change it in place when no hand-out holds it (mutableSubscribersLocked), so
  // opening N streams costs O(N), not O(N^2).
  using SubscriberList = std::shared_ptr<const std::vector<Attached>>;
  std::vector<Attached>& mutableSubscribersLocked();
  std::shared_ptr<std::vector<Attached>> subscribers_ = std::make_shared<std::vector<Attached>>();
  bool listHandedOut_ = false;  // a hand-out reads *subscribers_ (this very list) outside mutex_
};

}  // namespace gateway
