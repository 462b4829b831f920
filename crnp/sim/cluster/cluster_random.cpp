// The random scenario step: one plausible operation chosen from what the cluster's state
// allows. Only the raw output of std::mt19937_64 is used (fully specified by the standard),
// never std::*_distribution (implementation-defined), so a seed gives the same stream with
// any standard library.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "cluster_states.hpp"
#include "crnp/sim/cluster_model.hpp"

namespace crnp::sim {
namespace {

std::size_t pick(std::mt19937_64& random, std::size_t count) {
  return static_cast<std::size_t>(random() % count);
}

enum class Action { Switchover, NodeDown, NodeUp, Fail, Recover };

// Relative weights: mostly switchovers, failures rarer than recoveries so that the cluster
// tends back to health, nodes come back more readily than they leave.
constexpr std::array<std::pair<Action, unsigned>, 5> kWeights{{
    {Action::Switchover, 4},
    {Action::NodeDown, 1},
    {Action::NodeUp, 2},
    {Action::Fail, 1},
    {Action::Recover, 3},
}};

struct Target {
  std::string first;   // node, group or resource
  std::string second;  // node, when the action needs one
};

}  // namespace

std::vector<Event> ClusterModel::randomStep(std::mt19937_64& random) {
  std::vector<std::string> upNodes;
  std::vector<std::string> downNodes;
  for (const auto& node : nodes_) (node.up() ? upNodes : downNodes).push_back(node.name);

  std::vector<Target> switchovers;
  std::vector<Target> failures;
  std::vector<Target> recoveries;
  for (const auto& group : groups_) {
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      if (nodes_[n].up() && group.primary != n) switchovers.push_back({group.name, nodes_[n].name});
      for (const auto& resource : group.resources) {
        const auto& state = resource.states[n];
        if (group.primary == n && state == cluster::r::kOnline) {
          failures.push_back({resource.name, nodes_[n].name});
        } else if (state == cluster::r::kStartFailed || state == cluster::r::kMonitorFailed) {
          recoveries.push_back({resource.name, nodes_[n].name});
        }
      }
    }
  }

  auto available = [&](Action action) -> std::size_t {
    switch (action) {
      case Action::Switchover:
        return switchovers.size();
      case Action::NodeDown:
        return upNodes.size() >= 2 ? upNodes.size() : 0;  // keep one member
      case Action::NodeUp:
        return downNodes.size();
      case Action::Fail:
        return failures.size();
      case Action::Recover:
        return recoveries.size();
    }
    return 0;
  };
  unsigned totalWeight = 0;
  for (const auto& [action, weight] : kWeights) totalWeight += available(action) ? weight : 0;
  if (totalWeight == 0) return {};

  auto roll = static_cast<unsigned>(pick(random, totalWeight));
  Action chosen = Action::Switchover;
  for (const auto& [action, weight] : kWeights) {
    if (!available(action)) continue;
    if (roll < weight) {
      chosen = action;
      break;
    }
    roll -= weight;
  }

  ModelResult result;
  switch (chosen) {
    case Action::Switchover: {
      const auto& t = switchovers[pick(random, switchovers.size())];
      result = switchover(t.first, t.second);
      break;
    }
    case Action::NodeDown:
      result = nodeDown(upNodes[pick(random, upNodes.size())]);
      break;
    case Action::NodeUp:
      result = nodeUp(downNodes[pick(random, downNodes.size())]);
      break;
    case Action::Fail: {
      const auto& t = failures[pick(random, failures.size())];
      const auto kind =
          pick(random, 2) == 0 ? ResourceFailure::MonitorFailed : ResourceFailure::StartFailed;
      result = failResource(t.first, t.second, kind);
      break;
    }
    case Action::Recover: {
      const auto& t = recoveries[pick(random, recoveries.size())];
      result = recoverResource(t.first, t.second);
      break;
    }
  }
  // Every candidate was drawn from the current state, so the operation cannot be refused.
  return std::move(result.events);
}

}  // namespace crnp::sim
