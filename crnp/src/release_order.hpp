#pragma once
// When a parsed event may be handed over, without I/O (the listener asks, then acts).
//
// The rule: events are released as soon as their connection is complete, except that an
// event waits for connections from the same peer that were accepted before it and are still
// being read, but only while such a connection is younger than `grace`. Why:
// - A CRNP server delivers one event at a time per client, writing a whole document and
//   closing before it opens the next connection. On a healthy path an earlier connection is
//   complete within moments of being accepted, so waiting for it (briefly) keeps the cluster's
//   order even when two connections are read on different threads.
// - A stalled, idle or trickling connection (slowloris) is no longer "healthy" after `grace`:
//   from then on it holds nothing back. A completed event is delayed by at most `grace`.
// - Peers do not order each other: a flood from one address never delays another address.
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace crnp::detail {

class ReleaseOrder {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ReleaseOrder(std::chrono::milliseconds grace) : grace_(grace) {}

  /// A connection was admitted. Sequences must increase with admission.
  void opened(std::uint64_t sequence, const boost::asio::ip::address& peer, TimePoint at);
  /// The connection ended: with an event to release (`withEvent`) or without (it only stops
  /// holding others back). Unknown sequences are ignored.
  void closed(std::uint64_t sequence, bool withEvent);
  /// The completed events that may be handed over at `now`, in sequence order; each is
  /// returned once.
  std::vector<std::uint64_t> takeReleasable(TimePoint now);
  /// When a waiting event stops being held back if nothing else happens (the earliest end of
  /// grace of a connection that holds one back); nullopt when no event waits.
  std::optional<TimePoint> nextCheck(TimePoint now) const;
  /// Events completed but not yet released.
  std::size_t waiting() const { return waiting_; }
  void clear();

 private:
  struct Entry {
    boost::asio::ip::address peer;
    TimePoint graceEnds;
    bool complete = false;  ///< an event waiting for release; otherwise still being read
  };

  const std::chrono::milliseconds grace_;
  std::map<std::uint64_t, Entry> entries_;
  std::size_t waiting_ = 0;
};

}  // namespace crnp::detail
