#include "stream_queue.hpp"

#include <algorithm>

#include "subscribe_messages.hpp"

namespace gateway {

StreamQueue::StreamQueue(Limits limits, TokenFor tokenFor)
    : limits_(limits), tokenFor_(std::move(tokenFor)) {}

void StreamQueue::start(const AttachResult& attached, std::uint64_t resumeFrom) {
  const std::uint64_t start = !attached.snapshot        ? resumeFrom
                              : attached.events.empty() ? attached.sequence
                                                        : attached.events.front()->sequence - 1;
  std::vector<Item> initial;
  if (!attached.resetReason.empty()) {
    initial.push_back(
        {{}, false, false, resetMessage(tokenFor_(start), attached.resetReason), start});
  }
  for (const auto& event : attached.events) {
    initial.push_back({event, attached.snapshot, false, {}, event->sequence});
  }
  if (attached.snapshot) {
    const auto count = static_cast<std::uint32_t>(attached.events.size());
    initial.push_back({{},
                       false,
                       false,
                       snapshotEndMessage(tokenFor_(attached.sequence), count),
                       attached.sequence});
  }
  queue_.prepend(initial.begin(), initial.end());
  writtenPosition_ = completedPosition_ = start;
  seenPosition_ = std::max(seenPosition_, attached.sequence);
  started_ = true;
}

StreamQueue::Offered StreamQueue::offer(const StoredEventPtr& event, bool matches) {
  // Going away: the position stays where the events stop, so a resume gets the rest.
  if (goingAway_) return Offered::Skipped;
  seenPosition_ = event->sequence;
  if (!matches) return Offered::Skipped;
  const bool full = liveEvents_ >= std::max<std::size_t>(limits_.maxEvents, 1) ||
                    (liveEvents_ > 0 && liveBytes_ + event->bytes > limits_.maxBytes);
  if (full) return Offered::Overflow;
  queue_.push_back({event, false, true, {}, event->sequence});
  ++liveEvents_;
  liveBytes_ += event->bytes;
  heartbeatDue_ = false;
  return Offered::Queued;
}

void StreamQueue::goAway(std::string reason) {
  if (goingAway_) return;
  goingAway_ = true;
  goingAwayReason_ = std::move(reason);
}

void StreamQueue::clear() {
  queue_.clear();
  liveEvents_ = liveBytes_ = 0;
  heartbeatDue_ = false;
}

StreamQueue::Item StreamQueue::popFront() {
  Item item = queue_.pop_front();
  if (item.live) {
    --liveEvents_;
    liveBytes_ -= item.event->bytes;
  }
  return item;
}

bool StreamQueue::batchAtFront() const {
  return limits_.maxBatch > 1 && queue_.size() > 1 && queue_[0].event && queue_[1].event;
}

std::optional<StreamQueue::Write> StreamQueue::next(std::chrono::system_clock::time_point now) {
  if (!started_) return std::nullopt;
  if (batchAtFront()) {
    // Events (snapshot, replay or live) waiting back to back: one message for as many as the
    // batch allows, each event in its own form with its own token inside.
    std::vector<Item> taken;
    std::size_t bytes = 0;
    while (!queue_.empty() && queue_.front().event && taken.size() < limits_.maxBatch) {
      const Item& front = queue_.front();
      const std::size_t size =
          front.snapshotForm ? front.event->snapshot().Length() : front.event->bytes;
      if (!taken.empty() && bytes + size > limits_.maxBatchBytes) break;
      bytes += size;
      taken.push_back(popFront());
    }
    std::vector<const grpc::ByteBuffer*> forms;
    std::vector<std::chrono::system_clock::time_point> liveReceived;
    for (const Item& item : taken) {
      forms.push_back(item.snapshotForm ? &item.event->snapshot() : &item.event->live);
      if (item.live) liveReceived.push_back(item.event->received);
    }
    writtenPosition_ = taken.back().position;
    return Write{batchMessage(tokenFor_(writtenPosition_), forms), false, std::move(liveReceived)};
  }
  if (!queue_.empty()) {
    Item item = popFront();
    writtenPosition_ = item.position;
    std::vector<std::chrono::system_clock::time_point> liveReceived;
    if (item.live) liveReceived.push_back(item.event->received);
    return Write{!item.event         ? std::move(item.control)
                 : item.snapshotForm ? item.event->snapshot()
                                     : item.event->live,
                 false, std::move(liveReceived)};
  }
  // Nothing queued: every event seen so far has been given (or did not match).
  if (goingAway_) {
    writtenPosition_ = seenPosition_;
    return Write{goingAwayMessage(tokenFor_(seenPosition_), goingAwayReason_), true, {}};
  }
  if (heartbeatDue_) {
    heartbeatDue_ = false;
    writtenPosition_ = seenPosition_;
    return Write{heartbeatMessage(tokenFor_(seenPosition_), now), false, {}};
  }
  return std::nullopt;
}

}  // namespace gateway
