#include "subscribe_reactor.hpp"

#include <algorithm>

#include "crnp/matching.hpp"
#include "crnp/structured_log.hpp"
#include "subscribe_messages.hpp"

namespace gateway {
namespace {

constexpr std::string_view kLogComponent = "stream";

using Clock = std::chrono::steady_clock;

}  // namespace

SubscribeReactor::SubscribeReactor(EventHub& hub, StreamOwner& owner, StreamTimers& timers,
                                   StreamSettings settings)
    : hub_(hub),
      owner_(owner),
      settings_(std::move(settings)),
      timers_(timers),
      timerId_(timers.add(*this)),
      queue_({settings_.maxQueueEvents, settings_.maxQueueBytes, settings_.maxBatch},
             [this](std::uint64_t position) { return tokenFor(position); }) {}

void SubscribeReactor::start(std::vector<crnp::EventType> types,
                             const std::optional<ResumeToken>& resume) {
  std::vector<crnp::EventType> attachTypes;
  {
    std::lock_guard lock(mutex_);
    if (finishing_) return;
    if (!typesPushed_) types_ = std::move(types);
    attachTypes = types_;
  }
  // Without our lock: the hub's fan-out calls onEvent holding its delivery lock, so hub ->
  // stream is the order. Events after the attach may reach onEvent before the lock below; they
  // queue behind the snapshot or replay because the queue gives nothing to write before start().
  AttachResult attached = hub_.attach(*this, attachTypes, resume);

  std::lock_guard lock(mutex_);
  if (finishing_) return;
  if (!attached.resetReason.empty()) {
    crnp::slog::info(
        kLogComponent, "resume not possible; stream starts with a reset",
        {{"registration", settings_.registrationId}, {"reason", attached.resetReason}});
    owner_.counters().resets.fetch_add(1, std::memory_order_relaxed);
  }
  (attached.snapshot ? owner_.counters().snapshots : owner_.counters().resumes)
      .fetch_add(1, std::memory_order_relaxed);
  queue_.start(attached, resume ? resume->sequence : 0);

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
  if (finishing_ || queue_.goingAway()) return;
  queue_.goAway(std::move(reason));
  pumpLocked();
}

void SubscribeReactor::finish(grpc::Status status) {
  std::lock_guard lock(mutex_);
  finishLocked(std::move(status));
}

void SubscribeReactor::onEvent(const StoredEventPtr& event) {
  std::lock_guard lock(mutex_);
  if (finishing_) return;
  switch (queue_.offer(event, crnp::matchesAny(types_, event->event))) {
    case StreamQueue::Offered::Queued:
      return pumpLocked();
    case StreamQueue::Offered::Skipped:
      return;
    case StreamQueue::Offered::Overflow: {
      // The position of the last completed write: the one in flight may never arrive.
      const std::string token = queue_.completedToken();
      crnp::slog::warn(kLogComponent, "stream ended: subscriber too slow",
                       {{"registration", settings_.registrationId},
                        {"queued_events", queue_.liveEvents()},
                        {"queued_bytes", queue_.liveBytes()},
                        {"resume_token", token}});
      owner_.counters().tooSlow.fetch_add(1, std::memory_order_relaxed);
      return finishLocked(subscriberTooSlowStatus(token));
    }
  }
}

std::size_t SubscribeReactor::queuedEvents() const {
  std::lock_guard lock(mutex_);
  return queue_.liveEvents();
}

void SubscribeReactor::onFellBehind() {
  std::lock_guard lock(mutex_);
  if (finishing_) return;
  // The hub lost this stream's next events before handing them over: end it as a slow
  // consumer, at the last completed write, so that its client resumes (and is reset).
  const std::string token = queue_.completedToken();
  crnp::slog::warn(kLogComponent, "stream ended: the event fan-out fell behind its backlog",
                   {{"registration", settings_.registrationId}, {"resume_token", token}});
  owner_.counters().tooSlow.fetch_add(1, std::memory_order_relaxed);
  finishLocked(subscriberTooSlowStatus(token));
}

void SubscribeReactor::pumpLocked() {
  if (writing_ || finishing_) return;
  const auto now = std::chrono::system_clock::now();
  auto write = queue_.next(now);
  if (!write) return;
  for (const auto received : write->liveReceived)
    owner_.counters().delivery.observe(now - received);
  current_ = std::move(write->message);
  lastWrite_ = Clock::now();
  owner_.callObserver().messageSent();
  if (write->last) {
    finishing_ = true;
    finalCode_ = grpc::StatusCode::OK;
    StartWriteAndFinish(&current_, grpc::WriteOptions(), grpc::Status::OK);
    return;
  }
  writing_ = true;
  // No buffer hint for a write with more waiting behind it: gRPC completes such a write only
  // when a later one flushes it, and a stream has one write in flight (it would wait forever).
  StartWrite(&current_);
}

void SubscribeReactor::finishLocked(grpc::Status status) {
  if (finishing_) return;
  finishing_ = true;
  finalCode_ = status.error_code();
  queue_.clear();
  // The timers stay registered until OnDone (removing waits for a call in progress, which
  // may be waiting for this lock); onTimer ignores a finishing stream.
  Finish(std::move(status));
}

void SubscribeReactor::OnWriteDone(bool ok) {
  std::lock_guard lock(mutex_);
  writing_ = false;
  if (!ok) {
    finishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    return;
  }
  queue_.written();
  current_.Clear();  // an idle stream keeps no message (each snapshot_end is its own)
  pumpLocked();
}

void SubscribeReactor::OnCancel() {
  std::lock_guard lock(mutex_);
  finishLocked(grpc::Status::CANCELLED);
}

void SubscribeReactor::OnDone() {
  grpc::StatusCode code;
  {
    std::lock_guard lock(mutex_);
    code = finalCode_;
  }
  owner_.callObserver().handled(code);
  owner_.streamDone(this);  // also orders the construction before what follows
  hub_.detach(*this);
  timers_.remove(timerId_);  // waits for a timer call in progress; none follows
  // Orders every earlier critical section before the destruction (reactions are ordered by
  // gRPC's own synchronisation, which a race detector does not see in an uninstrumented gRPC).
  { std::lock_guard lock(mutex_); }
  delete this;
}

void SubscribeReactor::armLocked(Timer timer, Clock::time_point deadline) {
  timers_.schedule(timerId_, timer, deadline);
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
      queue_.heartbeatDue();
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
