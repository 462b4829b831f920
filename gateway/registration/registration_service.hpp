#pragma once
// The registration logic behind Register / Unregister / GetRegistration / ListRegistrations,
// without gRPC transport (its inputs and outputs are the API's messages and grpc::Status).
//
// The upstream holds ONE CRNP registration for the union of all registrations' types and owns
// it (what is desired, what the server confirmed, retries). A change computes the new union and
// asks the upstream first (it sends nothing when that union is already registered); only when
// it answered OK is the registry changed: a failed change leaves everything as it was and
// reports the upstream's answer through the status table.
// Changes run one at a time, in arrival order, on `executor` (never on the caller's thread:
// the calls return at once and `done` runs when the change is over).
#include <grpcpp/support/status.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config_defaults.hpp"
#include "crnp/gateway/v1/gateway.pb.h"
#include "crnp/messages.hpp"
#include "registration_changes.hpp"
#include "registry.hpp"
#include "upstream.hpp"

namespace gateway {

/// A new registration id: 32 random hex digits (128 bits from the OS's CSPRNG).
std::string generateRegistrationId();

class RegistrationService final : public RegistrationChanges {
 public:
  using Executor = std::function<void(std::function<void()>)>;
  /// After each committed change: the registration's types, or nullopt when it was removed.
  using ChangeObserver = std::function<void(const std::string& id,
                                            const std::optional<std::vector<crnp::EventType>>&)>;

  struct Options {
    RegistrationLimits limits;
    ChangeObserver onChange;                                     ///< may be empty
    std::function<std::chrono::system_clock::time_point()> now;  ///< default: system_clock
    std::function<std::string()> newId;  ///< default: 32 random hex digits (128 bits)
    /// Types the gateway registers for itself (the cluster's state, for metrics and
    /// GetClusterState): part of every union, with or without registrations.
    std::vector<crnp::EventType> ownTypes;
  };

  struct RestoreResult {
    std::size_t registrations = 0;  ///< in the registry
    std::size_t types = 0;          ///< distinct types in their union, handed to the upstream
    grpc::Status status;            ///< OK, or UNAVAILABLE when shutting down
    bool ok() const { return status.ok(); }
  };

  /// `registry`, `upstream` and whatever runs `executor`'s tasks must outlive the service and
  /// keep running until every pending `done` ran (stop the gRPC server first, then the
  /// upstream, then the executor).
  RegistrationService(Registry& registry, Upstream& upstream, Executor executor,
                      Options options = {});

  using Caller = ChangeCaller;

  /// Creates or replaces a registration. Invalid requests fail at once (INVALID_ARGUMENT, `done`
  /// runs before the call returns), without touching the queue or the upstream.
  void registerAsync(const crnp::gateway::v1::RegisterRequest& request, RegisterDone done,
                     Caller caller = {}) override;
  /// Removes the listed types, or the whole registration when none are listed or none remain.
  void unregisterAsync(const crnp::gateway::v1::UnregisterRequest& request, UnregisterDone done,
                       Caller caller = {}) override;

  grpc::Status getRegistration(const crnp::gateway::v1::GetRegistrationRequest& request,
                               crnp::gateway::v1::Registration* out) const;
  void listRegistrations(crnp::gateway::v1::ListRegistrationsResponse* out) const;

  /// Hands the union of every stored registration to the upstream (Upstream::converge), in
  /// order with the changes: at start, so that stored registrations are registered even
  /// before the next change, and retried by the upstream until the cluster confirms them.
  void restore(std::function<void(RestoreResult)> done);

  /// Refuses new changes (UNAVAILABLE) and answers the queued ones the same way; the change in
  /// progress still finishes when the upstream answers.
  void shutdown();
  /// Waits until no change runs or waits (after shutdown(): until the running one finished);
  /// false at the deadline.
  bool waitUntilIdle(std::chrono::steady_clock::time_point deadline);

 private:
  using Finish = std::function<void()>;
  struct Change {
    std::function<void(Finish)> run;           // must call Finish exactly once, at the end
    std::function<void(grpc::Status)> refuse;  // instead of run: shutting down, caller gone
    Caller caller;
  };

  /// Why `caller` no longer wants its change, or nullopt when it still does.
  std::optional<grpc::Status> callerGone(const Caller& caller) const;

  void enqueue(Change change, bool bypassLimit);
  void runNext();
  void runRegister(std::string id, std::vector<crnp::EventType> types, RegisterDone done,
                   Finish finish);
  void runUnregister(std::string id, std::vector<crnp::EventType> remove, UnregisterDone done,
                     Finish finish);
  /// Asks the upstream for `desired`; `then` runs on the executor with its answer.
  void applyUnion(std::vector<crnp::EventType> desired, std::function<void(UpstreamResult)> then);
  /// After a failed registry write: the upstream converges on the stored union again.
  void resyncAfterFailedWrite(Finish finish);
  /// Normalized union of every stored registration's types, with registration `id`'s replaced
  /// by `types` (`id` empty: all stored ones as they are), and the gateway's own types.
  std::vector<crnp::EventType> unionWith(const std::string& id,
                                         const std::vector<crnp::EventType>& types) const;
  void notify(const std::string& id, const std::optional<std::vector<crnp::EventType>>& types);

  Registry& registry_;
  Upstream& upstream_;
  Executor executor_;
  Options options_;

  std::mutex mutex_;
  std::condition_variable idle_;  // signalled when running_ turns false
  std::deque<Change> queue_;
  bool running_ = false;
  bool shutDown_ = false;
};

}  // namespace gateway
