#pragma once
// The gateway's view of the CRNP cluster side: one CRNP client registration for the union of
// all gateway registrations' event types. The upstream owns that registration: the set it
// should hold (desired), what the server confirmed, the one back-off loop that converges the
// second on the first. The registration service asks for a new union and learns what the
// server said; events arrive through the callback given to the implementation's constructor.
// CrnpUpstream (crnp_upstream.hpp) is the real one; tests use a fake.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"
#include "latency_histogram.hpp"
#include "upstream_result.hpp"

namespace gateway {

struct UpstreamHealth {
  /// The last registration exchange succeeded and the registration has not lapsed (it was
  /// confirmed again within the re-registration schedule).
  bool healthy = false;
  std::string server;  ///< "host:port" in use
  std::string lastError;
  std::optional<std::chrono::system_clock::time_point> lastRegistered;
  std::uint64_t eventsReceived = 0;
};

class Upstream {
 public:
  virtual ~Upstream() = default;

  /// Makes the upstream registration cover exactly `types` (ADD_CLIENT, ADD_EVENTS,
  /// REMOVE_EVENTS or REMOVE_CLIENT as needed; nothing, and OK at once, when that is already
  /// the desired and confirmed set). `done` runs exactly once, on any thread, never inside
  /// this call, with what the server said. On success `types` becomes the desired set; on
  /// failure the desired set stays what it was, and the upstream keeps converging on it.
  /// One call at a time: a call made before the previous one was answered is refused
  /// (outcome NetworkError); the caller owns the queue of changes.
  virtual void applyTypes(std::vector<crnp::EventType> types,
                          std::function<void(UpstreamResult)> done) = 0;

  /// Makes `types` the desired set without a caller waiting: the upstream registers it in the
  /// background and retries with back-off until the server confirms it (at start, the stored
  /// registrations; after a registry write failed, the stored union again). Health reports
  /// how that goes. Calls and applyTypes take effect in the order they were made.
  virtual void converge(std::vector<crnp::EventType> types) = 0;

  /// Thread-safe snapshot of the health.
  virtual UpstreamHealth health() const = 0;

  /// Called (on any thread) whenever `healthy` changes. Set once, before start.
  virtual void setHealthListener(std::function<void(const UpstreamHealth&)> listener) = 0;
};

using UpstreamPtr = std::shared_ptr<Upstream>;

/// Counters of the CRNP side, for metrics.
struct UpstreamStats {
  /// Registration exchanges (one message each) by result: the SC_REPLY code ("OK", "RETRY",
  /// ...) when the server answered, else the transport outcome ("ReplyTimeout", ...).
  std::map<std::string, std::uint64_t> exchangeResults;
  LatencyHistogram::Snapshot exchangeSeconds;  ///< connect to reply (or failure)
  /// Events received, by subclass; at most kMaxSubclasses distinct, the rest as "other" (the
  /// server names them; a hostile one must not grow the metrics without bound).
  std::map<std::string, std::uint64_t> eventsBySubclass;
  static constexpr std::size_t kMaxSubclasses = 64;
  std::optional<std::chrono::system_clock::time_point> lastEventTime;
  std::size_t confirmedTypes = 0;  ///< types in the registration the server confirmed
};

}  // namespace gateway
