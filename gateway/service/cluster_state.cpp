#include "cluster_state.hpp"

#include "proto_conversion.hpp"
#include "request_validation.hpp"

namespace gateway {

grpc::Status buildClusterState(const crnp::gateway::v1::GetClusterStateRequest& request,
                               const EventHub& hub, const UpstreamHealth& health,
                               const RegistrationLimits& limits,
                               crnp::gateway::v1::ClusterState* out) {
  auto filter = validateEventTypes(request.event_types(), limits, TypesRequired::MayBeEmpty);
  if (!filter.status.ok()) return filter.status;
  for (const auto& stored : hub.latest(filter.types)) {
    toProto(stored->event, stored->sequence, stored->received, /*snapshot=*/false,
            out->add_events());
  }
  toProto(health, out->mutable_upstream());
  return grpc::Status::OK;
}

void toProto(const UpstreamHealth& health, crnp::gateway::v1::UpstreamStatus* out) {
  out->set_healthy(health.healthy);
  out->set_server(health.server);
  out->set_last_error(health.lastError);
  if (health.lastRegistered) toProto(*health.lastRegistered, out->mutable_last_registered());
  out->set_events_received(health.eventsReceived);
}

}  // namespace gateway
