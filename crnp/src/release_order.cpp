#include "release_order.hpp"

#include <set>

namespace crnp::detail {

void ReleaseOrder::opened(std::uint64_t sequence, const boost::asio::ip::address& peer,
                          TimePoint at) {
  entries_.emplace(sequence, Entry{peer, at + grace_, false});
}

void ReleaseOrder::closed(std::uint64_t sequence, bool withEvent) {
  auto it = entries_.find(sequence);
  if (it == entries_.end() || it->second.complete) return;
  if (!withEvent) {
    entries_.erase(it);
    return;
  }
  it->second.complete = true;
  ++waiting_;
}

std::vector<std::uint64_t> ReleaseOrder::takeReleasable(TimePoint now) {
  std::vector<std::uint64_t> released;
  if (waiting_ == 0) return released;
  // Peers with an earlier connection still in its grace: their later events wait (and so
  // does everything after a waiting event of theirs, since the same connection holds it).
  std::set<boost::asio::ip::address> held;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& entry = it->second;
    if (!entry.complete) {
      if (now < entry.graceEnds) held.insert(entry.peer);
      ++it;
    } else if (held.count(entry.peer) != 0) {
      ++it;
    } else {
      released.push_back(it->first);
      --waiting_;
      it = entries_.erase(it);
    }
  }
  return released;
}

std::optional<ReleaseOrder::TimePoint> ReleaseOrder::nextCheck(TimePoint now) const {
  std::optional<TimePoint> next;
  if (waiting_ == 0) return next;
  // The first connection still in grace of each peer is the one whose grace ends first
  // (admission order); it matters only when an event of that peer waits after it.
  std::map<boost::asio::ip::address, TimePoint> firstHolder;
  for (const auto& [sequence, entry] : entries_) {
    if (!entry.complete) {
      if (now < entry.graceEnds) firstHolder.try_emplace(entry.peer, entry.graceEnds);
    } else if (auto holder = firstHolder.find(entry.peer); holder != firstHolder.end()) {
      if (!next || holder->second < *next) next = holder->second;
    }
  }
  return next;
}

void ReleaseOrder::clear() {
  entries_.clear();
  waiting_ = 0;
}

}  // namespace crnp::detail
