// The events of the simulated cluster: membership, resource group state and resource state,
// with the pairs of protocol reference section 5.
#include <string>
#include <utility>

#include "cluster_states.hpp"
#include "crnp/sim/cluster_model.hpp"

namespace crnp::sim {

Event ClusterModel::membershipEvent() const {
  Event event;
  event.eventClass = cluster::kClass;
  event.subclass = cluster::kMembership;
  event.vendor = vendor_;
  event.publisher = cluster::kPublisher;
  NvPair names{"node_list", {}};
  NvPair incarnations{"state_list", {}};
  for (const auto& node : nodes_) {
    names.values.push_back(node.name);
    incarnations.values.push_back(std::to_string(node.incarnation));
  }
  event.nvpairs = {std::move(names), std::move(incarnations)};
  return event;
}

namespace {

Event stateEvent(std::string_view subclass, std::string_view vendor, std::string_view nameKey,
                 const std::string& name, const std::vector<ClusterNode>& nodes,
                 const std::vector<std::string>& states) {
  Event event;
  event.eventClass = cluster::kClass;
  event.subclass = subclass;
  event.vendor = vendor;
  event.publisher = cluster::kPublisher;
  NvPair names{"node_list", {}};
  for (const auto& node : nodes) names.values.push_back(node.name);
  event.nvpairs = {NvPair{std::string(nameKey), {name}}, std::move(names),
                   NvPair{"state_list", states}};
  return event;
}

}  // namespace

Event ClusterModel::groupEvent(std::size_t group) const {
  const auto& g = groups_[group];
  return stateEvent(cluster::kGroupState, vendor_, "rg_name", g.name, nodes_, g.states);
}

Event ClusterModel::resourceEvent(std::size_t group, std::size_t resource) const {
  const auto& r = groups_[group].resources[resource];
  return stateEvent(cluster::kResourceState, vendor_, "r_name", r.name, nodes_, r.states);
}

Event ClusterModel::stamp(Event event) {
  event.nvpairs.push_back(
      NvPair{std::string(cluster::kSequencePair), {std::to_string(++eventsGenerated_)}});
  return event;
}

std::vector<Event> ClusterModel::currentState() const {
  std::vector<Event> events;
  events.push_back(membershipEvent());
  for (std::size_t g = 0; g < groups_.size(); ++g) events.push_back(groupEvent(g));
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t i = 0; i < groups_[g].resources.size(); ++i) {
      events.push_back(resourceEvent(g, i));
    }
  }
  return events;
}

}  // namespace crnp::sim
