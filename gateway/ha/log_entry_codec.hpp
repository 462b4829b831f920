#pragma once
// The value of an event log key in etcd: "<received> <place> <previous>\n<event>": the time
// the leader received the event (Unix nanoseconds), the event's place in its Txn, the sequence
// number of the event before it in the log (0: none), all decimal, and the event in the event
// log's JSON form (eventlog/event_codec.hpp). Every replica reports the same received_time for
// an event; `previous` tells a replica that loads the log, after the oldest entries were
// trimmed, from which token on it can replay (numbers are not consecutive).
//
// Sequence numbers (resume tokens): the leader appends several events in one Txn, which etcd
// gives one revision, so an event's number is its revision and its place in the Txn:
// revision * 1024 + place. Ordered as the log is, and the same on every replica.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crnp/messages.hpp"
#include "etcd/mvcc/mvccpb/kv.pb.h"

namespace gateway::ha {

inline constexpr unsigned kPlacesPerRevision = 1024;  ///< more than a Txn can carry

inline std::uint64_t sequenceOf(std::int64_t revision, unsigned place) {
  return static_cast<std::uint64_t>(revision) * kPlacesPerRevision + place;
}
/// The last sequence number of `revision`: everything through it is covered by the revision.
inline std::uint64_t lastSequenceOf(std::int64_t revision) {
  return sequenceOf(revision, kPlacesPerRevision - 1);
}
inline std::int64_t revisionOf(std::uint64_t sequence) {
  return static_cast<std::int64_t>(sequence / kPlacesPerRevision);
}

struct LogEntry {
  crnp::Event event;
  std::chrono::system_clock::time_point received;
  unsigned place = 0;  ///< in its Txn, below kPlacesPerRevision
  /// Place 0: the sequence number of the entry before it (0: none). Other places: 0, the
  /// entry before is the same revision's previous place (previousSequence()).
  std::uint64_t previous = 0;
};

/// The sequence number of the log entry before the one numbered `sequence`.
inline std::uint64_t previousSequence(const LogEntry& entry, std::uint64_t sequence) {
  return entry.place == 0 ? entry.previous : sequence - 1;
}

std::string encodeLogEntry(const LogEntry& entry);
/// nullopt for anything encodeLogEntry cannot have produced.
std::optional<LogEntry> decodeLogEntry(std::string_view value);

/// A log (or latest) key as etcd holds it: the entry and its sequence number.
struct NumberedEntry {
  std::uint64_t sequence = 0;
  LogEntry entry;
  std::uint64_t previous() const { return previousSequence(entry, sequence); }
};
/// nullopt (logged with the key) when the value cannot be read.
std::optional<NumberedEntry> readLogEntry(const mvccpb::KeyValue& kv);

}  // namespace gateway::ha
