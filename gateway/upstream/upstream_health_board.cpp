#include "upstream_health_board.hpp"

#include "crnp/duration.hpp"

namespace gateway {

UpstreamHealthBoard::UpstreamHealthBoard(std::function<Clock::time_point()> now)
    : now_(std::move(now)) {}

UpstreamHealth UpstreamHealthBoard::snapshot() const {
  const auto now = now_();
  std::lock_guard lock(mutex_);
  UpstreamHealth copy = health_;
  if (lapsedLocked(now)) {
    copy.healthy = false;
    copy.lastError = lapseMessageLocked();
  }
  return copy;
}

EventTypes UpstreamHealthBoard::confirmedTypes() const {
  std::lock_guard lock(mutex_);
  return confirmed_;
}

void UpstreamHealthBoard::setListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void UpstreamHealthBoard::setServer(std::string server) {
  std::lock_guard lock(mutex_);
  health_.server = std::move(server);
}

void UpstreamHealthBoard::setConfirmedTypes(EventTypes types) {
  std::lock_guard lock(mutex_);
  confirmed_ = std::move(types);
}

void UpstreamHealthBoard::countEvent(const std::string& subclass) {
  std::lock_guard lock(mutex_);
  ++health_.eventsReceived;
  lastEventTime_ = std::chrono::system_clock::now();
  auto it = eventsBySubclass_.find(subclass);
  if (it == eventsBySubclass_.end()) {
    const bool room = eventsBySubclass_.size() < UpstreamStats::kMaxSubclasses;
    it = eventsBySubclass_.try_emplace(room ? subclass : std::string("other"), 0).first;
  }
  ++it->second;
}

void UpstreamHealthBoard::countExchange(const std::string& result,
                                        std::chrono::nanoseconds duration) {
  exchangeSeconds_.observe(duration);
  std::lock_guard lock(mutex_);
  ++exchangeResults_[result];
}

UpstreamStats UpstreamHealthBoard::stats() const {
  UpstreamStats out;
  out.exchangeSeconds = exchangeSeconds_.snapshot();
  std::lock_guard lock(mutex_);
  out.exchangeResults = exchangeResults_;
  out.eventsBySubclass = eventsBySubclass_;
  out.lastEventTime = lastEventTime_;
  out.confirmedTypes = confirmed_.size();
  return out;
}

std::optional<UpstreamHealthBoard::Clock::time_point> UpstreamHealthBoard::markHealthy(
    bool registered, std::optional<std::chrono::milliseconds> allowance) {
  const auto now = now_();
  std::optional<Clock::time_point> lapsesAt;
  {
    std::lock_guard lock(mutex_);
    if (registered) health_.lastRegistered = std::chrono::system_clock::now();
    if (registered && allowance) {
      lapsesAt = now + *allowance;
      allowance_ = *allowance;
    }
    lapsesAt_ = lapsesAt;
    health_.healthy = true;
  }
  notify();
  return lapsesAt;
}

void UpstreamHealthBoard::markUnhealthy(std::string error) {
  {
    std::lock_guard lock(mutex_);
    health_.lastError = std::move(error);
    health_.healthy = false;
  }
  notify();
}

void UpstreamHealthBoard::refresh() {
  const auto now = now_();
  {
    std::lock_guard lock(mutex_);
    if (!lapsedLocked(now)) return;
    health_.lastError = lapseMessageLocked();
  }
  notify();
}

bool UpstreamHealthBoard::lapsedLocked(Clock::time_point now) const {
  return health_.healthy && lapsesAt_ && now >= *lapsesAt_;
}

std::string UpstreamHealthBoard::lapseMessageLocked() const {
  return health_.server + ": registration not confirmed again within " +
         crnp::formatDuration(allowance_) + " (the scheduled re-registration is overdue)";
}

void UpstreamHealthBoard::notify() {
  std::lock_guard notifyLock(notifyMutex_);
  // Judged now, under notifyMutex_: a call that lost the race to a later change reports that
  // change's outcome, and the later one then finds nothing left to report.
  UpstreamHealth current = snapshot();
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    if (current.healthy == reported_) return;
    reported_ = current.healthy;
    listener = listener_;
  }
  if (listener) listener(current);
}

}  // namespace gateway
