#include "event_hub.hpp"

#include <algorithm>
#include <random>
#include <tuple>
#include <utility>

#include "crnp/matching.hpp"
#include "crnp/structured_log.hpp"
#include "proto_conversion.hpp"
#include "subscribe_messages.hpp"

namespace gateway {
namespace {

grpc::ByteBuffer serializeEvent(const StoredEvent& stored, bool snapshot) {
  pb::SubscribeResponse response;
  response.set_resume_token(stored.resumeToken);
  toProto(stored.event, stored.sequence, stored.received, snapshot, response.mutable_event());
  return serializeToByteBuffer(response);
}

std::uint64_t randomEpoch() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

StoredEvent::StoredEvent(std::uint64_t sequenceNumber, crnp::Event crnpEvent,
                         std::chrono::system_clock::time_point receivedAt, std::uint64_t epoch)
    : StoredEvent(sequenceNumber, crnpEvent, crnp::eventKey(crnpEvent), receivedAt, epoch) {}

StoredEvent::StoredEvent(std::uint64_t sequenceNumber, crnp::Event crnpEvent,
                         crnp::EventType eventKey, std::chrono::system_clock::time_point receivedAt,
                         std::uint64_t epoch)
    : sequence(sequenceNumber),
      event(std::move(crnpEvent)),
      key(std::move(eventKey)),
      received(receivedAt),
      resumeToken(encodeResumeToken({epoch, sequenceNumber})),
      live(serializeEvent(*this, false)),
      bytes(live.Length()) {}

const grpc::ByteBuffer& StoredEvent::snapshot() const {
  std::call_once(snapshotOnce_, [this] { snapshot_ = serializeEvent(*this, true); });
  return snapshot_;
}

EventHub::EventHub(EventHubConfig config, FanoutSignal signalFanout, EventJournal* journal,
                   std::optional<RecoveredEvents> recovered)
    : config_(config),
      epoch_(config.epoch ? *config.epoch : randomEpoch()),
      signalFanout_(std::move(signalFanout)),
      journal_(journal) {
  if (recovered) recover(std::move(*recovered));
}

void EventHub::recover(RecoveredEvents recovered) {
  std::lock_guard ingestLock(ingestMutex_);
  std::lock_guard lock(mutex_);
  epoch_ = recovered.epoch;
  lastSequence_ = recovered.lastSequence;
  coveredAfter_ = recovered.coveredAfter;
  if (recovered.uncleanStop && recovered.mayHaveLostEvents) {
    crashCoverage_ = recovered.coveredAfter;
    durableThroughAtCrash_ = recovered.durableThroughAtCrash;
  }
  const auto make = [this](JournalEntry& entry) {
    return std::make_shared<const StoredEvent>(entry.sequence, std::move(entry.event),
                                               entry.received, epoch_.load());
  };
  std::map<std::uint64_t, StoredEventPtr> latestBySequence;
  for (JournalEntry& entry : recovered.latest) {
    auto stored = make(entry);
    latestBySequence.emplace(stored->sequence, stored);
    rememberLatestLocked(stored);
  }
  for (JournalEntry& entry : recovered.retained) {
    const auto known = latestBySequence.find(entry.sequence);
    StoredEventPtr stored = known != latestBySequence.end() ? known->second : make(entry);
    ring_.push_back(stored);
    ringBytes_ += stored->bytes;
    evictLocked();
  }
}

StoredEventPtr EventHub::ingest(crnp::Event event, std::chrono::system_clock::time_point received) {
  return publish(std::nullopt, std::move(event), received);
}

StoredEventPtr EventHub::ingestAt(std::uint64_t sequence, crnp::Event event,
                                  std::chrono::system_clock::time_point received) {
  return publish(sequence, std::move(event), received);
}

StoredEventPtr EventHub::publish(std::optional<std::uint64_t> given, crnp::Event event,
                                 std::chrono::system_clock::time_point received) {
  std::lock_guard ingestLock(ingestMutex_);
  // latest_ only changes under ingestMutex_: no need for mutex_ to look, and a repeat costs
  // neither a serialization nor readers' time.
  crnp::EventType key = crnp::eventKey(event);
  if (const auto it = latest_.find(key);
      it != latest_.end() && crnp::equalForClients(it->second->event, event)) {
    duplicatesSuppressed_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (given && *given <= lastSequence_) return nullptr;
  const std::uint64_t sequence = given ? *given : lastSequence_ + 1;
  if (journal_ && !given && sequence > journal_->reservedThrough()) abandonJournal();
  // Serialize before taking mutex_: readers and attaches never wait for protobuf.
  auto stored = std::make_shared<const StoredEvent>(sequence, std::move(event), std::move(key),
                                                    received, epoch_.load());
  serializations_.fetch_add(1, std::memory_order_relaxed);
  published_.fetch_add(1, std::memory_order_relaxed);

  // To the journal before any client can see it (a journal may record it as published).
  if (journal_) journal_->append(stored);
  bool signal = false;
  {
    std::lock_guard lock(mutex_);
    lastSequence_ = stored->sequence;
    ring_.push_back(stored);
    ringBytes_ += stored->bytes;
    evictLocked();
    rememberLatestLocked(stored);
    if (subscribers_->empty() && backlog_.empty()) {
      // Nobody to hand it to (a stream attaching later starts after it): no wake-up of the
      // fan-out thread.
      handedThrough_ = stored->sequence;
    } else {
      backlog_.push_back(stored);
      backlogBytes_ += stored->bytes;
      while (backlog_.size() > 1 && (backlog_.size() > config_.fanoutBacklogEvents ||
                                     backlogBytes_ > config_.fanoutBacklogBytes)) {
        droppedThrough_ = backlog_.front()->sequence;
        backlogBytes_ -= backlog_.front()->bytes;
        backlog_.pop_front();
        fanoutOverruns_.fetch_add(1, std::memory_order_relaxed);
      }
      signal = !std::exchange(fanoutSignalled_, true);
    }
  }
  if (signal) {
    if (signalFanout_) {
      signalFanout_();
    } else {
      deliverPending();
    }
  }
  return stored;
}

void EventHub::declareGap(std::uint64_t through, std::vector<JournalEntry> latest) {
  std::lock_guard ingestLock(ingestMutex_);
  bool signal = false;
  {
    std::lock_guard lock(mutex_);
    if (through <= lastSequence_) return;
    for (JournalEntry& entry : latest) {
      if (entry.sequence > through) continue;
      auto stored = std::make_shared<const StoredEvent>(entry.sequence, std::move(entry.event),
                                                        entry.received, epoch_.load());
      const auto known = latest_.find(stored->key);
      if (known == latest_.end() || known->second->sequence < stored->sequence) {
        rememberLatestLocked(stored);
      }
    }
    lastSequence_ = through;
    coveredAfter_ = through;  // the ring cannot replay across the gap
    ring_.clear();
    ringBytes_ = 0;
    // As for an overrun of the backlog: the fan-out removes and tells everyone attached
    // before `through` (all of them).
    droppedThrough_ = through;
    signal = !std::exchange(fanoutSignalled_, true);
  }
  crnp::slog::warn("events", "events missed; open streams must resume",
                   {{"through_sequence", through}});
  if (!signal) return;
  if (signalFanout_) {
    signalFanout_();
  } else {
    deliverPending();
  }
}

void EventHub::deliverPending() {
  // Serializes hand-outs (each subscriber sees sequence order) and lets detach() wait out one
  // that may still reach its subscriber. Attaches, resumes, GetClusterState and ingest take
  // only mutex_, briefly: none of them waits for the streams.
  std::lock_guard deliverLock(deliverMutex_);
  constexpr std::size_t kBatch = 256;  // bounds the copy of pointers taken per round
  std::vector<StoredEventPtr> batch;
  batch.reserve(kBatch);
  for (;;) {
    batch.clear();
    SubscriberList subscribers;
    std::vector<EventSubscriber*> fellBehind;
    {
      std::lock_guard lock(mutex_);
      if (droppedThrough_ > handedThrough_) {
        // Events up to droppedThrough_ left the backlog unseen: those attached before them
        // cannot be served in order. They leave the list here (detach() then finds nothing)
        // and are told below.
        auto kept = std::make_shared<std::vector<Attached>>();
        for (const Attached& attached : *subscribers_) {
          if (attached.after < droppedThrough_) {
            fellBehind.push_back(attached.subscriber);
          } else {
            kept->push_back(attached);
          }
        }
        subscribers_ = std::move(kept);
        handedThrough_ = droppedThrough_;
      }
      while (!backlog_.empty() && batch.size() < kBatch) {
        backlogBytes_ -= backlog_.front()->bytes;
        batch.push_back(std::move(backlog_.front()));
        backlog_.pop_front();
      }
      if (batch.empty() && fellBehind.empty()) {
        fanoutSignalled_ = false;
        return;
      }
      if (!batch.empty()) handedThrough_ = batch.back()->sequence;
      subscribers = subscribers_;
      listHandedOut_ = true;
    }
    for (EventSubscriber* subscriber : fellBehind) subscriber->onFellBehind();
    for (const Attached& attached : *subscribers) {
      for (const StoredEventPtr& event : batch) {
        if (event->sequence > attached.after) attached.subscriber->onEvent(event);
      }
    }
    // Under mutex_, so that an attach or detach that changes the list in place afterwards is
    // ordered after the reads above (shared_ptr::use_count() would not order them).
    std::lock_guard lock(mutex_);
    listHandedOut_ = false;
  }
}

void EventHub::abandonJournal() {
  // Numbering beyond the durable reservation could give a number to two events after a crash;
  // a new epoch cannot collide with anything the journal holds.
  journal_->abandon();
  journal_ = nullptr;
  const std::uint64_t next = randomEpoch();
  crnp::slog::error("events", "event log reservation exhausted; continuing unpersisted",
                    {{"reason", "the event log could not reserve sequence numbers in time"},
                     {"sequence", lastSequence_},
                     {"new_epoch", encodeResumeToken({next, 0}).substr(0, 16)}});
  std::lock_guard lock(mutex_);
  epoch_ = next;
  coveredAfter_ = lastSequence_;
}

void EventHub::evictLocked() {
  const std::size_t capacity = std::max<std::size_t>(config_.ringCapacity, 1);
  while (ring_.size() > 1 && (ring_.size() > capacity || ringBytes_ > config_.ringBytes)) {
    ringBytes_ -= ring_.front()->bytes;
    coveredAfter_ = std::max(coveredAfter_, ring_.front()->sequence);
    ring_.pop_front();
  }
}

void EventHub::rememberLatestLocked(const StoredEventPtr& stored) {
  auto [it, inserted] = latest_.try_emplace(stored->key, stored);
  if (!inserted) {
    it->second = stored;
    return;
  }
  if (latest_.size() <= std::max<std::size_t>(config_.maxLatestKeys, 1)) return;
  // Rare (a flood of new keys): a linear scan for the key that changed longest ago.
  auto oldest = std::min_element(latest_.begin(), latest_.end(), [](const auto& a, const auto& b) {
    return a.second->sequence < b.second->sequence;
  });
  latest_.erase(oldest);
}

std::vector<StoredEventPtr> EventHub::latest(const std::vector<crnp::EventType>& filter) const {
  std::lock_guard lock(mutex_);
  return latestLocked(filter);
}

std::vector<StoredEventPtr> EventHub::latestLocked(
    const std::vector<crnp::EventType>& filter) const {
  std::vector<StoredEventPtr> events;
  for (const auto& [key, stored] : latest_) {
    if (filter.empty() || crnp::matchesAny(filter, stored->event)) events.push_back(stored);
  }
  std::sort(events.begin(), events.end(), [](const StoredEventPtr& a, const StoredEventPtr& b) {
    return a->sequence < b->sequence;
  });
  return events;
}

std::optional<std::string> EventHub::resumeProblemLocked(const ResumeToken& token) const {
  if (token.epoch != epoch_.load()) {
    return "resume token is from another gateway instance; starting over with a snapshot";
  }
  if (token.sequence > lastSequence_) {
    return "resume token is ahead of this gateway; starting over with a snapshot";
  }
  if (token.sequence < coveredAfter_) {
    if (coveredAfter_ == crashCoverage_) {
      return "the gateway stopped without saving its last events (events after sequence " +
             std::to_string(durableThroughAtCrash_) +
             " may be lost); starting over with a snapshot";
    }
    return "events after the resume token are no longer buffered; starting over with a snapshot";
  }
  return std::nullopt;
}

AttachResult EventHub::attach(EventSubscriber& subscriber,
                              const std::vector<crnp::EventType>& types,
                              const std::optional<ResumeToken>& resume) {
  AttachResult result;
  std::lock_guard lock(mutex_);
  result.sequence = lastSequence_;
  if (resume) {
    if (auto problem = resumeProblemLocked(*resume)) {
      result.resetReason = std::move(*problem);
    } else {
      result.snapshot = false;
      // Sequences may have gaps (a recovery, or numbers given from outside): search.
      auto it = std::upper_bound(ring_.begin(), ring_.end(), resume->sequence,
                                 [](std::uint64_t sequence, const StoredEventPtr& event) {
                                   return sequence < event->sequence;
                                 });
      for (; it != ring_.end(); ++it) {
        if (crnp::matchesAny(types, (*it)->event)) result.events.push_back(*it);
      }
    }
  }
  if (result.snapshot && !types.empty()) result.events = latestLocked(types);
  mutableSubscribersLocked().push_back({&subscriber, lastSequence_});
  return result;
}

std::vector<EventHub::Attached>& EventHub::mutableSubscribersLocked() {
  // Only a hand-out in progress reads the list without mutex_ (which the caller holds): then
  // the change goes to a copy, which nobody else holds.
  if (listHandedOut_) {
    subscribers_ = std::make_shared<std::vector<Attached>>(*subscribers_);
    listHandedOut_ = false;
  }
  return *subscribers_;
}

void EventHub::detach(EventSubscriber& subscriber) {
  {
    std::lock_guard lock(mutex_);
    const auto& current = *subscribers_;
    const auto found = std::find_if(current.begin(), current.end(),
                                    [&](const Attached& a) { return a.subscriber == &subscriber; });
    if (found != current.end()) {
      const auto index = static_cast<std::size_t>(found - current.begin());
      auto& list = mutableSubscribersLocked();
      // Order does not matter (each stream filters and orders its own events): swap and pop.
      list[index] = list.back();
      list.pop_back();
    }
  }
  // A hand-out that took the list before the lines above may still be reaching `subscriber`
  // (also when the fan-out removed it, telling it onFellBehind); once it is done nothing does.
  std::lock_guard wait(deliverMutex_);
}

std::uint64_t EventHub::lastSequence() const {
  std::lock_guard lock(mutex_);
  return lastSequence_;
}

bool EventHub::canResume(const ResumeToken& token) const {
  std::lock_guard lock(mutex_);
  return !resumeProblemLocked(token).has_value();
}

std::uint64_t EventHub::coveredAfter() const {
  std::lock_guard lock(mutex_);
  return coveredAfter_;
}

std::size_t EventHub::bufferedEvents() const {
  std::lock_guard lock(mutex_);
  return ring_.size();
}

std::size_t EventHub::bufferedBytes() const {
  std::lock_guard lock(mutex_);
  return ringBytes_;
}

std::size_t EventHub::subscriberCount() const {
  std::lock_guard lock(mutex_);
  return subscribers_->size();
}

}  // namespace gateway
