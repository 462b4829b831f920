#include "proto_conversion.hpp"

#include <charconv>
#include <string_view>

#include "crnp/cluster_events.hpp"

namespace gateway {
namespace {

using crnp::kClusterClass;
constexpr std::string_view kMembership = crnp::kMembershipSubclass;
constexpr std::string_view kRgState = crnp::kRgStateSubclass;
constexpr std::string_view kRState = crnp::kRStateSubclass;

void toProto(const crnp::NvPair& pair, pb::NameValues* out) {
  out->set_name(pair.name);
  for (const auto& value : pair.values) out->add_values(value);
}

// node_list / state_list of equal, non-zero length, or nullptrs.
struct NodeStates {
  const crnp::NvPair* nodes = nullptr;
  const crnp::NvPair* states = nullptr;
};

NodeStates nodeStates(const crnp::Event& event) {
  const auto* nodes = event.find("node_list");
  const auto* states = event.find("state_list");
  if (!nodes || !states || nodes->values.size() != states->values.size()) return {};
  return {nodes, states};
}

const std::string* scalar(const crnp::Event& event, std::string_view name) {
  const auto* pair = event.find(name);
  return pair && pair->values.size() == 1 ? &pair->values.front() : nullptr;
}

void fillTyped(const crnp::Event& event, pb::ClusterEvent* out) {
  if (event.eventClass != kClusterClass) return;
  const NodeStates list = nodeStates(event);
  if (!list.nodes) return;
  if (event.subclass == kMembership) {
    auto* membership = out->mutable_membership();
    for (std::size_t i = 0; i < list.nodes->values.size(); ++i) {
      const std::string& text = list.states->values[i];
      std::int64_t incarnation = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), incarnation);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        out->clear_membership();  // not a number: no typed view rather than a wrong one
        return;
      }
      auto* node = membership->add_nodes();
      node->set_node(list.nodes->values[i]);
      node->set_incarnation(incarnation);
      node->set_member(incarnation >= 0);
    }
  } else if (event.subclass == kRgState) {
    const auto* name = scalar(event, "rg_name");
    if (!name) return;
    auto* group = out->mutable_resource_group();
    group->set_group(*name);
    for (std::size_t i = 0; i < list.nodes->values.size(); ++i) {
      (*group->mutable_node_states())[list.nodes->values[i]] = list.states->values[i];
    }
  } else if (event.subclass == kRState) {
    const auto* name = scalar(event, "r_name");
    if (!name) return;
    auto* resource = out->mutable_resource();
    resource->set_resource(*name);
    for (std::size_t i = 0; i < list.nodes->values.size(); ++i) {
      (*resource->mutable_node_states())[list.nodes->values[i]] = list.states->values[i];
    }
  }
}

}  // namespace

crnp::EventType fromProto(const pb::EventType& type) {
  crnp::EventType out;
  out.eventClass = type.event_class();
  out.subclass = type.subclass();
  for (const auto& pair : type.nvpairs()) {
    out.nvpairs.push_back({pair.name(), {pair.values().begin(), pair.values().end()}});
  }
  return out;
}

std::vector<crnp::EventType> fromProto(
    const google::protobuf::RepeatedPtrField<pb::EventType>& types) {
  std::vector<crnp::EventType> out;
  out.reserve(types.size());
  for (const auto& type : types) out.push_back(fromProto(type));
  return out;
}

void toProto(const crnp::EventType& type, pb::EventType* out) {
  out->set_event_class(type.eventClass);
  out->set_subclass(type.subclass);
  for (const auto& pair : type.nvpairs) toProto(pair, out->add_nvpairs());
}

void toProto(std::chrono::system_clock::time_point time, google::protobuf::Timestamp* out) {
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  out->set_seconds(nanos / 1'000'000'000);
  out->set_nanos(static_cast<std::int32_t>(nanos % 1'000'000'000));
}

void toProto(const crnp::Event& event, std::uint64_t sequence,
             std::chrono::system_clock::time_point received, bool snapshot, pb::ClusterEvent* out) {
  out->set_sequence(sequence);
  out->set_event_class(event.eventClass);
  out->set_subclass(event.subclass);
  out->set_vendor(event.vendor);
  out->set_publisher(event.publisher);
  for (const auto& pair : event.nvpairs) toProto(pair, out->add_nvpairs());
  toProto(received, out->mutable_received_time());
  out->set_snapshot(snapshot);
  fillTyped(event, out);
}

}  // namespace gateway
