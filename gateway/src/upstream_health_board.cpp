#include "upstream_health_board.hpp"

namespace gateway {

UpstreamHealth UpstreamHealthBoard::snapshot() const {
  std::lock_guard lock(mutex_);
  return health_;
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

void UpstreamHealthBoard::countEvent() {
  std::lock_guard lock(mutex_);
  ++health_.eventsReceived;
}

void UpstreamHealthBoard::markHealthy(bool registered) {
  {
    std::lock_guard lock(mutex_);
    if (registered) health_.lastRegistered = std::chrono::system_clock::now();
  }
  setHealthy(true);
}

void UpstreamHealthBoard::markUnhealthy(std::string error) {
  {
    std::lock_guard lock(mutex_);
    health_.lastError = std::move(error);
  }
  setHealthy(false);
}

void UpstreamHealthBoard::setHealthy(bool healthy) {
  UpstreamHealth copy;
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    if (health_.healthy == healthy) return;
    health_.healthy = healthy;
    copy = health_;
    listener = listener_;
  }
  if (listener) listener(copy);
}

}  // namespace gateway
