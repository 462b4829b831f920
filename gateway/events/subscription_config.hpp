#pragma once
// Settings of the event path (EventHub and the Subscribe streams); defaults from the one table
// (common/config_defaults.hpp). main() fills them from the command line; tests shrink them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config_defaults.hpp"

namespace gateway {

struct EventHubConfig {
  /// Events kept for resume, at most this many (at least 1 is always kept)...
  std::size_t ringCapacity = defaults::kRingEvents;
  /// ...and at most this many bytes of serialized SubscribeResponse (the newest event is kept
  /// even when it alone is larger).
  std::size_t ringBytes = defaults::kRingBytes;
  /// Distinct event keys (crnp::eventKey) whose latest event is kept for snapshots; beyond
  /// it the key with the oldest event is forgotten. Bounds memory against a CRNP server that
  /// invents names.
  std::size_t maxLatestKeys = 65'536;
  /// Published events waiting for the fan-out thread, at most this many and this many bytes
  /// (the newest is always kept). Only a starved fan-out thread gets near it; beyond it the
  /// oldest are dropped and the streams that needed them ended (SUBSCRIBER_TOO_SLOW, so their
  /// clients resume), never served with a gap. Independent of the ring: a small
  /// --ring-events narrows resume, not live delivery.
  std::size_t fanoutBacklogEvents = 65'536;
  std::size_t fanoutBacklogBytes = 64u << 20;
  /// Epoch of resume tokens; unset: random per EventHub instance (tests fix it).
  std::optional<std::uint64_t> epoch;
};

struct SubscriptionConfig {
  /// Live events queued for one stream beyond the one being written. A stream over either
  /// bound is ended with RESOURCE_EXHAUSTED / SUBSCRIBER_TOO_SLOW and its resume token.
  std::size_t maxQueueEvents = defaults::kStreamQueueEvents;
  std::size_t maxQueueBytes = defaults::kStreamQueueBytes;

  /// Heartbeat interval when the request leaves it unset, and the smallest one accepted.
  std::chrono::milliseconds defaultHeartbeat = defaults::kHeartbeat;
  std::chrono::milliseconds minHeartbeat{100};

  /// A stream older than this gets going_away and ends with OK, so that clients spread over
  /// gateway replicas again. Zero: streams never age out.
  std::chrono::milliseconds maxStreamAge = defaults::kMaxStreamAge;
  /// Each stream's age limit is drawn from maxStreamAge * [1 - jitter, 1 + jitter].
  double maxStreamAgeJitter = 0.1;

  /// Concurrent streams at most; more get RESOURCE_EXHAUSTED. Zero: no limit.
  std::size_t maxStreams = defaults::kMaxStreams;
};

}  // namespace gateway
