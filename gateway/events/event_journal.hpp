#pragma once
// EventJournal: where EventHub hands published events to be kept across a restart, and what
// a hub starts from (RecoveredEvents). The hub knows only this interface; the SQLite journal
// (eventlog/) is wired in by the app. Without a journal the hub keeps nothing across restarts.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crnp/messages.hpp"

namespace gateway {

class StoredEvent;

/// One event as kept by a journal.
struct JournalEntry {
  std::uint64_t sequence = 0;
  crnp::Event event;
  std::chrono::system_clock::time_point received;
  bool operator==(const JournalEntry&) const = default;
};

/// What a hub continues from after a restart.
struct RecoveredEvents {
  std::uint64_t epoch = 0;
  /// Numbering continues after it: no number up to it is ever given to a new event.
  std::uint64_t lastSequence = 0;
  /// Every event numbered after `coveredAfter` (through lastSequence) is in `retained`; a token
  /// before it cannot be replayed.
  std::uint64_t coveredAfter = 0;
  /// Set after a stop that did not flush (crash, kill -9): the events are durable through this
  /// sequence; those numbered after it (up to lastSequence) may have been published and lost,
  /// so coveredAfter == lastSequence. Zero after a clean stop.
  std::uint64_t durableThroughAtCrash = 0;
  bool uncleanStop = false;
  /// Retained events in sequence order (the newest within the ring's bounds).
  std::vector<JournalEntry> retained;
  /// The latest event of each key (crnp::eventKey), in sequence order; may be older than
  /// `retained`'s first.
  std::vector<JournalEntry> latest;
};

class EventJournal {
 public:
  virtual ~EventJournal() = default;
  /// Queues a published event for writing, in sequence order. Called on the ingesting thread:
  /// O(1), never blocks, never does I/O. An event that cannot be queued or written is counted
  /// and logged by the journal, and the journal's coverage moves past it (no silent gap).
  virtual void append(std::shared_ptr<const StoredEvent> event) = 0;
  /// The highest sequence number reserved durably: numbers up to it are never given to
  /// another event after a crash. The journal raises it ahead of use on its own thread; a hub
  /// about to number beyond it must not (see EventHub). Cheap; never blocks.
  virtual std::uint64_t reservedThrough() const = 0;
  /// The hub numbered beyond reservedThrough() (the journal could not raise it, e.g. the disk
  /// is full) and moved to another epoch: the journal must not write anything more.
  virtual void abandon() = 0;
};

}  // namespace gateway
