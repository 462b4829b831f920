#pragma once
// StreamQueue: what one Subscribe stream writes next, without gRPC. It holds the start of the
// stream (reset, snapshot or replay, snapshot_end), the live events queued behind it within
// the stream's limits, and the resume position each message carries; it decides between the
// next queued message, going_away and a heartbeat. SubscribeReactor owns one under its lock
// and makes the gRPC calls; these rules are tested without a server, a socket or a clock.
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compact_fifo.hpp"
#include "config_defaults.hpp"
#include "event_hub.hpp"

namespace gateway {

class StreamQueue {
 public:
  struct Limits {
    std::size_t maxEvents = 1;  ///< live events queued beyond the one being written (>= 1)
    std::size_t maxBytes = 0;   ///< their bytes; one event is always allowed
    /// Events one message may carry (SubscribeRequest.max_batch): above 1, consecutive events
    /// waiting at the front of the queue leave as one batch message, up to this many and
    /// maxBatchBytes (an event alone is never batched: a stream that keeps up sees no batch).
    std::size_t maxBatch = 1;
    std::size_t maxBatchBytes = kMaxBatchBytes;
  };
  /// The resume token of a position (the hub's epoch is the reactor's business).
  using TokenFor = std::function<std::string(std::uint64_t position)>;

  /// A message to write now; `last`: write it and end the stream with OK (going_away).
  struct Write {
    grpc::ByteBuffer message;
    bool last = false;
    /// For each live event in it: when the gateway received it (for the delivery latency).
    std::vector<std::chrono::system_clock::time_point> liveReceived;
  };
  enum class Offered {
    Queued,   ///< it will be written
    Skipped,  ///< not for this stream (filter), or the stream is going away
    Overflow  ///< over the limits: the stream must end (SUBSCRIBER_TOO_SLOW, completedToken())
  };

  StreamQueue(Limits limits, TokenFor tokenFor);

  /// The attach's result goes first: reset (when the token could not be honoured), the
  /// snapshot or replay, snapshot_end after a snapshot. Live events offered before this wait
  /// behind it. `resumeFrom`: the resume token's position when the attach replays.
  void start(const AttachResult& attached, std::uint64_t resumeFrom);
  bool started() const { return started_; }

  /// A live event from the hub, in sequence order; `matches`: it passes the stream's filter.
  Offered offer(const StoredEventPtr& event, bool matches);
  /// After what is queued: going_away{reason} with the position reached, then the end.
  void goAway(std::string reason);
  bool goingAway() const { return goingAway_; }
  /// Write a heartbeat when nothing else is waiting (dropped when something is).
  void heartbeatDue() { heartbeatDue_ = queue_.empty(); }
  /// Forget what is queued (the stream is ending).
  void clear();

  /// The next message, or nullopt when there is nothing to write. Only when no write is in
  /// flight: the message's position becomes the one in flight.
  std::optional<Write> next(std::chrono::system_clock::time_point now);
  /// The write next() gave completed: its position is the stream's.
  void written() { completedPosition_ = writtenPosition_; }

  bool empty() const { return queue_.empty(); }
  std::size_t liveEvents() const { return liveEvents_; }
  std::size_t liveBytes() const { return liveBytes_; }
  /// Token of the last completed write: where a client that lost the stream resumes.
  std::string completedToken() const { return tokenFor_(completedPosition_); }

 private:
  // An event's shared form or a prebuilt control message, and the position after it.
  struct Item {
    StoredEventPtr event;
    bool snapshotForm = false;
    bool live = false;  // counts against the limits
    grpc::ByteBuffer control;
    std::uint64_t position = 0;
  };

  /// Takes the item at the front (a message of its own) off the queue.
  Item popFront();
  /// Whether the front two items are events a batch may carry together.
  bool batchAtFront() const;

  const Limits limits_;
  const TokenFor tokenFor_;
  CompactFifo<Item> queue_;
  std::size_t liveEvents_ = 0;
  std::size_t liveBytes_ = 0;
  bool started_ = false;
  bool goingAway_ = false;
  bool heartbeatDue_ = false;
  std::string goingAwayReason_;
  std::uint64_t seenPosition_ = 0;       // last hub sequence offered (or the attach's)
  std::uint64_t writtenPosition_ = 0;    // position after the write in flight
  std::uint64_t completedPosition_ = 0;  // position after the last completed write
};

}  // namespace gateway
