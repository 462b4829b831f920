#include "leader_routed_changes.hpp"

#include "registration_service.hpp"

namespace gateway::ha {

namespace pb = crnp::gateway::v1;
namespace rpb = crnp::gateway::replication::v1;

LeaderRoutedChanges::LeaderRoutedChanges(RegistrationChanges& local, ChangeForwarder& forwarder,
                                         std::function<bool()> leads)
    : local_(local), forwarder_(forwarder), leads_(std::move(leads)) {}

void LeaderRoutedChanges::registerAsync(const pb::RegisterRequest& request, RegisterDone done,
                                        ChangeCaller caller) {
  if (leads_()) return local_.registerAsync(request, std::move(done), std::move(caller));
  rpb::ForwardedChange change;
  *change.mutable_register_request() = request;
  if (request.registration_id().empty()) {
    change.mutable_register_request()->set_registration_id(generateRegistrationId());
  }
  forwarder_.forward(
      std::move(change), caller.deadline,
      [done = std::move(done)](grpc::Status status, const rpb::ForwardedAnswer& answer) {
        done(std::move(status), answer.registration());
      });
}

void LeaderRoutedChanges::unregisterAsync(const pb::UnregisterRequest& request, UnregisterDone done,
                                          ChangeCaller caller) {
  if (leads_()) return local_.unregisterAsync(request, std::move(done), std::move(caller));
  rpb::ForwardedChange change;
  *change.mutable_unregister_request() = request;
  forwarder_.forward(
      std::move(change), caller.deadline,
      [done = std::move(done)](grpc::Status status, const rpb::ForwardedAnswer& answer) {
        done(std::move(status), answer.unregister_response());
      });
}

}  // namespace gateway::ha
