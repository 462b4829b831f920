#pragma once
// The gateway's view of the CRNP cluster side: one CRNP client registration for the union of
// all gateway registrations' event types. The service asks for a new union and learns what the
// server said; events arrive through the callback given to the implementation's constructor.
// CrnpUpstream (crnp_upstream.hpp) is the real one; tests use a fake.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"
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
  /// REMOVE_EVENTS or REMOVE_CLIENT as needed). `done` runs exactly once, on any thread, with
  /// what the server said; on failure the upstream keeps its previous set of types.
  virtual void applyTypes(std::vector<crnp::EventType> types,
                          std::function<void(UpstreamResult)> done) = 0;

  /// Thread-safe snapshot of the health.
  virtual UpstreamHealth health() const = 0;

  /// Called (on any thread) whenever `healthy` changes. Set once, before start.
  virtual void setHealthListener(std::function<void(const UpstreamHealth&)> listener) = 0;
};

using UpstreamPtr = std::shared_ptr<Upstream>;

}  // namespace gateway
