#include "subscribe_reactor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crnp/matching.hpp"
#include "subscribe_messages.hpp"

namespace gateway {
namespace {

using Clock = std::chrono::steady_clock;

// grpc::Alarm takes system_clock deadlines; the stream reasons in steady_clock.
std::chrono::system_clock::time_point toSystem(Clock::time_point deadline) {
  const auto left = std::max(deadline - Clock::now(), Clock::duration::zero());
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(left);
}

}  // namespace

SubscribeReactor::SubscribeReactor(EventHub& hub, StreamOwner& owner, StreamSettings settings)
    : hub_(hub),
      owner_(owner),
      settings_(std::move(settings)),
      link_(std::make_shared<AlarmLink>(this)) {}

void SubscribeReactor::start(std::vector<crnp::EventType> types,
                             const std::optional<ResumeToken>& resume) {
  std::vector<crnp::EventType> attachTypes;
  {
    std::lock_guard lock(mutex_);
    if (finishing_) return;
    if (!typesPushed_) types_ = std::move(types);
    attachTypes = types_;
  }
  // Without our lock: the hub calls onEvent holding its ingest lock, so hub -> stream is the
  // order.
  // Events after the attach may reach onEvent before the lock below; they queue behind the
  // snapshot or replay because nothing is written before started_.
  AttachResult attached = hub_.attach(*this, attachTypes, resume);

  std::lock_guard lock(mutex_);
  if (finishing_) return;
  const std::uint64_t start = !attached.snapshot        ? resume->sequence
                              : attached.events.empty() ? attached.sequence
                                                        : attached.events.front()->sequence - 1;
  std::deque<Outgoing> initial;
  if (!attached.resetReason.empty()) {
    spdlog::info("subscribe {}: reset ({})", settings_.registrationId, attached.resetReason);
    initial.push_back(
        {{}, false, false, resetMessage(tokenFor(start), attached.resetReason), start});
  }
  for (const auto& event : attached.events) {
    initial.push_back({event, attached.snapshot, false, {}, event->sequence});
  }
  if (attached.snapshot) {
    const auto count = static_cast<std::uint32_t>(attached.events.size());
    initial.push_back({{},
                       false,
                       false,
                       snapshotEndMessage(tokenFor(attached.sequence), count),
                       attached.sequence});
  }
  queue_.insert(queue_.begin(), std::make_move_iterator(initial.begin()),
                std::make_move_iterator(initial.end()));
  writtenPosition_ = completedPosition_ = start;
  seenPosition_ = std::max(seenPosition_, attached.sequence);
  started_ = true;

  const auto now = Clock::now();
  lastWrite_ = now;
  armLocked(Timer::Heartbeat, now + settings_.heartbeat);
  if (settings_.maxAge.count() > 0) armLocked(Timer::MaxAge, now + settings_.maxAge);
  pumpLocked();
}

void SubscribeReactor::updateTypes(std::vector<crnp::EventType> types) {
  std::lock_guard lock(mutex_);
  typesPushed_ = true;
  types_ = std::move(types);
}

void SubscribeReactor::goAway(std::string reason) {
  std::lock_guard lock(mutex_);
  goAwayLocked(std::move(reason));
}

void SubscribeReactor::goAwayLocked(std::string reason) {
  if (finishing_ || goingAway_) return;
  goingAway_ = true;
  goingAwayReason_ = std::move(reason);
  pumpLocked();
}

void SubscribeReactor::finish(grpc::Status status) {
  std::lock_guard lock(mutex_);
  finishLocked(std::move(status));
}

void SubscribeReactor::onEvent(const StoredEventPtr& event) {
  std::lock_guard lock(mutex_);
  // Going away: the position stays where the events stop, so a resume gets the rest.
  if (finishing_ || goingAway_) return;
  seenPosition_ = event->sequence;
  if (!crnp::matchesAny(types_, event->event)) return;
  const bool full = liveEvents_ >= std::max<std::size_t>(settings_.maxQueueEvents, 1) ||
                    (liveEvents_ > 0 && liveBytes_ + event->bytes > settings_.maxQueueBytes);
  if (full) {
    // The position of the last completed write: the one in flight may never arrive.
    const std::string token = tokenFor(completedPosition_);
    spdlog::warn("subscribe {}: subscriber too slow ({} events, {} bytes queued); ended at {}",
                 settings_.registrationId, liveEvents_, liveBytes_, token);
    finishLocked(subscriberTooSlowStatus(token));
    return;
  }
  queue_.push_back({event, false, true, {}, event->sequence});
  ++liveEvents_;
  liveBytes_ += event->bytes;
  pumpLocked();
}

void SubscribeReactor::pumpLocked() {
  if (!started_ || writing_ || finishing_) return;
  if (!queue_.empty()) {
    Outgoing next = std::move(queue_.front());
    queue_.pop_front();
    if (next.live) {
      --liveEvents_;
      liveBytes_ -= next.event->bytes;
    }
    grpc::ByteBuffer message = !next.event         ? std::move(next.control)
                               : next.snapshotForm ? next.event->snapshot()
                                                   : next.event->live;
    startWriteLocked(std::move(message), next.position);
    return;
  }
  // Nothing queued: every event seen so far has been given (or did not match).
  if (goingAway_) {
    finishing_ = true;
    current_ = goingAwayMessage(tokenFor(seenPosition_), goingAwayReason_);
    StartWriteAndFinish(&current_, grpc::WriteOptions(), grpc::Status::OK);
    return;
  }
  if (heartbeatDue_) {
    heartbeatDue_ = false;
    startWriteLocked(heartbeatMessage(tokenFor(seenPosition_), std::chrono::system_clock::now()),
                     seenPosition_);
  }
}

void SubscribeReactor::startWriteLocked(grpc::ByteBuffer message, std::uint64_t position) {
  current_ = std::move(message);
  writtenPosition_ = position;
  writing_ = true;
  lastWrite_ = Clock::now();
  StartWrite(&current_);
}

void SubscribeReactor::finishLocked(grpc::Status status) {
  if (finishing_) return;
  finishing_ = true;
  queue_.clear();
  liveEvents_ = liveBytes_ = 0;
  if (heartbeatAlarm_) heartbeatAlarm_->Cancel();
  if (maxAgeAlarm_) maxAgeAlarm_->Cancel();
  Finish(std::move(status));
}

void SubscribeReactor::OnWriteDone(bool ok) {
  std::lock_guard lock(mutex_);
  writing_ = false;
  if (!ok) {
    finishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    return;
  }
  completedPosition_ = writtenPosition_;
  pumpLocked();
}

void SubscribeReactor::OnCancel() {
  std::lock_guard lock(mutex_);
  finishLocked(grpc::Status::CANCELLED);
}

void SubscribeReactor::OnDone() {
  owner_.streamDone(this);  // first: it also orders the construction before what follows
  hub_.detach(*this);
  {
    std::lock_guard lock(link_->mutex);  // waits for a timer reaction in progress
    link_->reactor = nullptr;
  }
  // Orders every earlier critical section before the destruction (reactions are ordered by
  // gRPC's own synchronisation, which a race detector does not see in an uninstrumented gRPC).
  { std::lock_guard lock(mutex_); }
  delete this;  // the alarms' destructors cancel them; their callbacks see a null link
}

void SubscribeReactor::armLocked(Timer timer, Clock::time_point deadline) {
  auto& alarm = timer == Timer::Heartbeat ? heartbeatAlarm_ : maxAgeAlarm_;
  // A fresh alarm each time: one must not be Set again from its own callback. Replacing the
  // one whose callback is running is safe (gRPC keeps it alive until the callback returns).
  alarm = std::make_unique<grpc::Alarm>();
  alarm->Set(toSystem(deadline), [link = link_, timer](bool fired) {
    if (!fired) return;
    std::lock_guard lock(link->mutex);
    if (link->reactor) link->reactor->onTimer(timer);
  });
}

void SubscribeReactor::onTimer(Timer timer) {
  std::lock_guard lock(mutex_);
  if (finishing_) return;
  if (timer == Timer::MaxAge) {
    goAwayLocked("maximum stream age reached; subscribe again with the resume token");
    return;
  }
  // Heartbeat only when nothing else was written for a whole interval.
  const auto now = Clock::now();
  if (now - lastWrite_ >= settings_.heartbeat) {
    if (!writing_ && queue_.empty()) {
      heartbeatDue_ = true;
      pumpLocked();
    }
    armLocked(Timer::Heartbeat, now + settings_.heartbeat);
  } else {
    armLocked(Timer::Heartbeat, lastWrite_ + settings_.heartbeat);
  }
}

std::string SubscribeReactor::tokenFor(std::uint64_t position) const {
  return encodeResumeToken({hub_.epoch(), position});
}

}  // namespace gateway
