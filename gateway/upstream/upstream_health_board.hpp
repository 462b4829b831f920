#pragma once
// The thread-safe published view of CrnpUpstream: health, the confirmed type set and the
// health listener. The upstream's strand writes the exchanges' outcomes; gRPC threads read
// snapshots.
//
// `healthy` is false when the last exchange failed, and also once a confirmed registration has
// lapsed: it was not confirmed again within its allowance (registrationAllowance), so the
// server may have forgotten the gateway without anyone noticing. The board judges that against
// its clock in snapshot(); refresh() (the upstream's timer calls it when the allowance ends)
// tells the listener. The listener runs outside the state lock, one call at a time, each time
// `healthy` changes; it must not call back into the board's mark* or refresh.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "type_set_diff.hpp"
#include "upstream.hpp"

namespace gateway {

class UpstreamHealthBoard {
 public:
  using Clock = std::chrono::steady_clock;
  using Listener = std::function<void(const UpstreamHealth&)>;

  /// `now`: the clock lapses are judged by (tests pass a fake one).
  explicit UpstreamHealthBoard(std::function<Clock::time_point()> now = Clock::now);

  UpstreamHealth snapshot() const;
  EventTypes confirmedTypes() const;
  void setListener(Listener listener);

  void setServer(std::string server);
  void setConfirmedTypes(EventTypes types);
  void countEvent(const std::string& subclass);
  /// One registration message's result (see UpstreamStats::exchangeResults) and duration.
  void countExchange(const std::string& result, std::chrono::nanoseconds duration);
  UpstreamStats stats() const;
  /// An exchange succeeded, or there is nothing to register. `registered`: a registration is
  /// now confirmed (stamps lastRegistered); with an `allowance` it lapses unless confirmed
  /// again within it. Returns when it lapses (nullopt: never), for a timer to call refresh().
  std::optional<Clock::time_point> markHealthy(
      bool registered, std::optional<std::chrono::milliseconds> allowance = std::nullopt);
  void markUnhealthy(std::string error);
  /// Notices a lapse: records it as lastError and tells the listener. Harmless at any time.
  void refresh();

 private:
  bool lapsedLocked(Clock::time_point now) const;
  std::string lapseMessageLocked() const;
  void notify();

  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  UpstreamHealth health_;  // health_.healthy: the last exchange's verdict, before any lapse
  std::optional<Clock::time_point> lapsesAt_;
  std::chrono::milliseconds allowance_{0};
  EventTypes confirmed_;
  std::map<std::string, std::uint64_t> exchangeResults_;
  std::map<std::string, std::uint64_t> eventsBySubclass_;
  std::optional<std::chrono::system_clock::time_point> lastEventTime_;
  LatencyHistogram exchangeSeconds_;
  Listener listener_;
  bool reported_ = false;   // the last `healthy` the listener was told
  std::mutex notifyMutex_;  // held across a listener call: one at a time, none out of date
};

}  // namespace gateway
