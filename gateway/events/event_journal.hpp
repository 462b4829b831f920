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
  /// The last stop did not flush (crash, kill -9).
  bool uncleanStop = false;
  /// After an unclean stop: events after durableThroughAtCrash may have been published and not
  /// saved, so coveredAfter was moved past them (to the last one published when that is known,
  /// otherwise to lastSequence); a token before it resets with that reason.
  bool mayHaveLostEvents = false;
  std::uint64_t durableThroughAtCrash = 0;
  /// Retained events in sequence order (the newest within the ring's bounds).
  std::vector<JournalEntry> retained;
  /// The latest event of each key (crnp::eventKey), in sequence order; may be older than
  /// `retained`'s first.
  std::vector<JournalEntry> latest;
};

class EventJournal {
 public:
  virtual ~EventJournal() = default;
  /// Queues an event for writing, in sequence order, before the hub makes it visible to any
  /// client (so a journal may note that it is published). Called on the ingesting thread: O(1),
  /// never blocks, never does I/O. An event that cannot be queued or written is counted
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
