#pragma once
// Conversions between crnp's message model and the gateway's protobuf API: one place for the
// mapping of CRNP pairs to the typed view (membership, resource-group and resource states).
#include <chrono>
#include <cstdint>
#include <vector>

#include "crnp/gateway/v1/gateway.pb.h"
#include "crnp/messages.hpp"

namespace gateway {

namespace pb = crnp::gateway::v1;

crnp::EventType fromProto(const pb::EventType& type);
std::vector<crnp::EventType> fromProto(
    const google::protobuf::RepeatedPtrField<pb::EventType>& types);
void toProto(const crnp::EventType& type, pb::EventType* out);

/// Fills `out` with the raw event (all pairs, ev_ ones included) and its typed view: the
/// membership / rg_state / r_state pairs of EC_Cluster events when they are well-formed
/// (node_list and state_list of equal length); left unset otherwise.
void toProto(const crnp::Event& event, std::uint64_t sequence,
             std::chrono::system_clock::time_point received, bool snapshot, pb::ClusterEvent* out);

void toProto(std::chrono::system_clock::time_point time, google::protobuf::Timestamp* out);

}  // namespace gateway
