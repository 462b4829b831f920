#pragma once
// RegistrationChanges: where Register and Unregister are carried out. RegistrationService does
// it here, in this process; with several replicas (gateway/ha) a follower hands the change to
// the leader, which carries it out with its RegistrationService. The gRPC service sees only
// this interface, so both answer with the same statuses.
#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>

#include "crnp/gateway/v1/gateway.pb.h"

namespace gateway {

/// The caller of a change, as far as the service cares: a change whose caller has given up
/// (its deadline passed, by options.now, or it was cancelled) before the change's turn came
/// is answered DEADLINE_EXCEEDED / CANCELLED (reason CHANGE_NOT_STARTED) and not applied.
/// A change that has started is carried through: its request may already be upstream.
struct ChangeCaller {
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  std::function<bool()> cancelled;  ///< may be empty; called on the executor
};

class RegistrationChanges {
 public:
  using RegisterDone = std::function<void(grpc::Status, crnp::gateway::v1::Registration)>;
  using UnregisterDone = std::function<void(grpc::Status, crnp::gateway::v1::UnregisterResponse)>;

  virtual ~RegistrationChanges() = default;

  /// Creates or replaces a registration; `done` runs once, on any thread, possibly before the
  /// call returns (a request refused at once).
  virtual void registerAsync(const crnp::gateway::v1::RegisterRequest& request, RegisterDone done,
                             ChangeCaller caller = {}) = 0;
  /// Removes the listed types, or the whole registration when none are listed or none remain.
  virtual void unregisterAsync(const crnp::gateway::v1::UnregisterRequest& request,
                               UnregisterDone done, ChangeCaller caller = {}) = 0;
};

}  // namespace gateway
