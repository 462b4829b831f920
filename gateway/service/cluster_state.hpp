#pragma once
// GetClusterState without transport: the latest event of each known type (optionally only
// those matching the request's types) and the upstream's health.
#include <grpcpp/support/status.h>

#include "config_defaults.hpp"
#include "crnp/gateway/v1/gateway.pb.h"
#include "event_hub.hpp"
#include "upstream.hpp"

namespace gateway {

/// Fills `out`, or returns INVALID_ARGUMENT (with details) for a bad filter.
grpc::Status buildClusterState(const crnp::gateway::v1::GetClusterStateRequest& request,
                               const EventHub& hub, const UpstreamHealth& health,
                               const RegistrationLimits& limits,
                               crnp::gateway::v1::ClusterState* out);

void toProto(const UpstreamHealth& health, crnp::gateway::v1::UpstreamStatus* out);

}  // namespace gateway
