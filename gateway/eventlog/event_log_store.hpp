#pragma once
// EventLogStore: the event log on disk, <data-dir>/events.db (SQLite, WAL, synchronous=NORMAL,
// exclusive lock, PRAGMA user_version = schema version). Synchronous and single-threaded: the
// EventLogWriter calls it on its own thread; open() runs at start.
//
// What it keeps: the epoch of resume tokens; the events kept for resume, within the same
// bounds as the hub's ring (oldest deleted); the latest event of each key; "every event after
// covered_after is in the log"; the reserved ceiling of sequence numbers; and whether the last
// stop was clean; beside it, events.published (PublishedWatermark). open() turns these into
// RecoveredEvents (see event_journal.hpp): after a clean stop numbering continues after the
// last event and every retained token resumes; after a crash numbering continues after the
// reserved ceiling, and coverage starts after the last event published (when the watermark is
// trusted; nothing lost: unchanged) or at the ceiling (when it is not).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "event_journal.hpp"
#include "published_watermark.hpp"

struct sqlite3;

namespace gateway {

struct EventLogBounds {
  std::size_t maxEvents = 1;      ///< as EventHubConfig::ringCapacity (at least 1 kept)
  std::size_t maxBytes = 0;       ///< as EventHubConfig::ringBytes (the newest always kept)
  std::size_t maxLatestKeys = 1;  ///< as EventHubConfig::maxLatestKeys
};

/// One event to write, with the size of its serialized live form (what the ring's byte bound
/// counts).
struct EventLogRecord {
  JournalEntry entry;
  std::size_t bytes = 0;
};

/// What one transaction writes.
struct EventLogBatch {
  std::vector<EventLogRecord> events;  ///< ascending sequences, above any written before
  /// Latest-of-key updates without an event row (those of a batch that failed to commit).
  std::vector<JournalEntry> latestOnly;
  /// Events up to this sequence will never be written (dropped or failed): the coverage
  /// moves past it. 0: none.
  std::uint64_t lostThrough = 0;
  /// Raise the reservation to this (0 or lower: unchanged).
  std::uint64_t reserveThrough = 0;
};

class EventLogStore {
 public:
  struct OpenResult {
    std::unique_ptr<EventLogStore> store;  ///< set on success
    RecoveredEvents recovered;
    std::string error;  ///< set on failure, for a human
  };

  /// Opens (creating the directory and file) <dataDir>/events.db, recovers it and durably
  /// marks it in use with numbers reserved through recovered.lastSequence + reserveAhead.
  /// `newEpoch` is the epoch of a new log (random when unset).
  static OpenResult open(const std::string& dataDir, EventLogBounds bounds,
                         std::uint64_t reserveAhead,
                         std::optional<std::uint64_t> newEpoch = std::nullopt);

  ~EventLogStore();
  EventLogStore(const EventLogStore&) = delete;
  EventLogStore& operator=(const EventLogStore&) = delete;

  /// One transaction; nullopt once durable, or the reason (then nothing of it was written).
  std::optional<std::string> write(const EventLogBatch& batch);
  /// Marks a clean stop after `lastSequence` (every event through it written or lost): the
  /// next open continues after it (or after a higher number it recovered or wrote). Nothing
  /// may be written after it.
  std::optional<std::string> closeClean(std::uint64_t lastSequence);

  /// Test seam for a full disk: the file may not grow beyond `pages` pages (PRAGMA
  /// max_page_count); writes that need more fail with SQLITE_FULL.
  std::optional<std::string> limitPagesForTest(std::int64_t pages);

  /// The one part of the store used on the ingesting thread (thread-safe, no I/O).
  PublishedWatermark& watermark() { return *watermark_; }

  std::uint64_t reservedThrough() const { return reservedThrough_; }
  std::uint64_t coveredAfter() const { return coveredAfter_; }
  std::size_t retainedEvents() const { return retained_.size(); }
  const std::string& path() const { return path_; }

  /// Schema version this build reads and writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;

 private:
  struct Retained {
    std::uint64_t sequence;
    std::size_t bytes;
  };
  EventLogStore(sqlite3* db, std::string path, EventLogBounds bounds);
  std::optional<std::string> load(RecoveredEvents& recovered, std::uint64_t newEpoch,
                                  PublishedWatermark::Reading published);
  std::optional<std::string> writeLocked(const EventLogBatch& batch, std::uint64_t& covered,
                                         std::deque<Retained>& retained, std::size_t& bytes,
                                         std::set<std::string>& keys);

  sqlite3* db_;
  std::unique_ptr<PublishedWatermark> watermark_;
  const std::string path_;
  const EventLogBounds bounds_;
  std::uint64_t reservedThrough_ = 0;
  std::uint64_t coveredAfter_ = 0;
  std::uint64_t usedThrough_ = 0;  // the highest number known used (recovered or written)
  std::deque<Retained> retained_;  // the event rows, oldest first
  std::size_t retainedBytes_ = 0;
  std::set<std::string> latestKeys_;  // keys of the latest rows
};

}  // namespace gateway
