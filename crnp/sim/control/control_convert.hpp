#pragma once
// Conversions between the simulator's values and crnp.sim.v1 messages, and the one table
// from model errors to gRPC status codes.
#include <grpcpp/support/status.h>

#include <optional>
#include <string>
#include <vector>

#include "crnp/sim/crnp_server.hpp"
#include "crnp/sim/faults.hpp"
#include "crnp/sim/simulator.hpp"
#include "crnp/sim/v1/control.pb.h"

namespace crnp::sim {

grpc::Status toStatus(const ModelError& error);
void toProto(const ClusterView& view, v1::ClusterView& out);
void toProto(const std::vector<ClientInfo>& clients, v1::ListClientsResponse& out);
/// The event an EmitEventRequest asks for, with the documented defaults filled in.
Event fromProto(const v1::EmitEventRequest& request, const std::string& defaultVendor);

/// The fault an InjectFaultRequest asks for, or a message saying why it is unusable.
struct FaultRequest {
  std::optional<Fault> fault;
  std::string error;
};
FaultRequest fromProto(const v1::InjectFaultRequest& request);

}  // namespace crnp::sim
