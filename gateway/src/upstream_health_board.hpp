#pragma once
// The thread-safe published view of CrnpUpstream: health, the confirmed type set and the
// health listener. The upstream's strand is the only writer; gRPC threads read snapshots.
// The listener runs on the writer's thread, outside the lock, only when `healthy` changes.
#include <functional>
#include <mutex>
#include <string>

#include "type_set_diff.hpp"
#include "upstream.hpp"

namespace gateway {

class UpstreamHealthBoard {
 public:
  using Listener = std::function<void(const UpstreamHealth&)>;

  UpstreamHealth snapshot() const;
  EventTypes confirmedTypes() const;
  void setListener(Listener listener);

  void setServer(std::string server);
  void setConfirmedTypes(EventTypes types);
  void countEvent();
  /// An exchange succeeded (or there is nothing to register); `registered` stamps
  /// lastRegistered.
  void markHealthy(bool registered);
  void markUnhealthy(std::string error);

 private:
  void setHealthy(bool healthy);

  mutable std::mutex mutex_;
  UpstreamHealth health_;
  EventTypes confirmed_;
  Listener listener_;
};

}  // namespace gateway
