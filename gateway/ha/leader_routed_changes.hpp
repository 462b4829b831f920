#pragma once
// LeaderRoutedChanges: Register / Unregister as a replica of a replicated deployment carries
// them out: on the leader, by its own RegistrationService; on a follower, handed to the leader
// (ChangeForwarder), whose answer (status, message, details) is the caller's, so both give
// the same statuses. A follower gives a Register without an id one first: should the leader
// die after carrying it out but before answering, the next leader repeats it, and with an id
// that repeat is idempotent instead of a second registration.
#include <functional>

#include "change_forwarder.hpp"
#include "registration_changes.hpp"

namespace gateway::ha {

class LeaderRoutedChanges final : public RegistrationChanges {
 public:
  /// Every argument must outlive this object. `leads` says whether this replica leads now.
  LeaderRoutedChanges(RegistrationChanges& local, ChangeForwarder& forwarder,
                      std::function<bool()> leads);

  void registerAsync(const crnp::gateway::v1::RegisterRequest& request, RegisterDone done,
                     ChangeCaller caller = {}) override;
  void unregisterAsync(const crnp::gateway::v1::UnregisterRequest& request, UnregisterDone done,
                       ChangeCaller caller = {}) override;

 private:
  RegistrationChanges& local_;
  ChangeForwarder& forwarder_;
  const std::function<bool()> leads_;
};

}  // namespace gateway::ha
