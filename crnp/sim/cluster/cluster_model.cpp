// Operations of the simulated cluster and the event sequences they cause. Event construction
// lives in cluster_events.cpp, the random scenario step in cluster_random.cpp.
#include "crnp/sim/cluster_model.hpp"

#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "cluster_states.hpp"
#include "crnp/text.hpp"

namespace crnp::sim {
namespace {

namespace rg = cluster::rg;
namespace r = cluster::r;

ModelResult failure(ModelErrorKind kind, std::string message) {
  return ModelResult{{}, ModelError{kind, std::move(message)}};
}

ModelResult success(std::vector<Event> events) { return ModelResult{std::move(events), {}}; }

// Names come from control clients: quoted within the echo bound, so that no error reply can
// outgrow a client's metadata limit (the control API may share the gateway's port).
std::string quoted(std::string_view name) { return "'" + echoBounded(name) + "'"; }

bool isFailed(std::string_view state) {
  return state == r::kStartFailed || state == r::kMonitorFailed;
}

}  // namespace

std::optional<std::string> validate(const ClusterConfig& config) {
  if (config.vendor != "SUNW" && config.vendor != "ORCL") {
    return "vendor must be SUNW or ORCL, not " + quoted(config.vendor);
  }
  const std::size_t nodeCount =
      config.nodeNames.empty() ? config.nodeCount : config.nodeNames.size();
  if (nodeCount == 0 || nodeCount > kMaxNodes) {
    return "the cluster needs 1 to " + std::to_string(kMaxNodes) + " nodes, not " +
           std::to_string(nodeCount);
  }
  if (config.resourceGroupCount > kMaxResourceGroups) {
    return "at most " + std::to_string(kMaxResourceGroups) + " resource groups, not " +
           std::to_string(config.resourceGroupCount);
  }
  std::set<std::string_view> seen;
  for (const auto& name : config.nodeNames) {
    if (name.empty()) return std::string("node names must not be empty");
    for (unsigned char c : name) {
      // Node names are host names: letters, digits, '-', '_', '.'.
      if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') {
        return "node name " + quoted(name) + " may hold only letters, digits, '-', '_', '.'";
      }
    }
    if (!seen.insert(name).second) return "node name " + quoted(name) + " appears twice";
  }
  return std::nullopt;
}

std::string_view toString(ModelErrorKind kind) {
  switch (kind) {
    case ModelErrorKind::NotFound:
      return "not found";
    case ModelErrorKind::InvalidArgument:
      return "invalid argument";
    case ModelErrorKind::FailedPrecondition:
      return "failed precondition";
    case ModelErrorKind::Unavailable:
      return "unavailable";
  }
  return "unknown";
}

ClusterModel::ClusterModel(const ClusterConfig& config) : vendor_(config.vendor) {
  if (config.nodeNames.empty()) {
    for (std::size_t i = 1; i <= config.nodeCount; ++i) {
      nodes_.push_back({"phys-node-" + std::to_string(i), -1});
    }
  } else {
    for (const auto& name : config.nodeNames) nodes_.push_back({name, -1});
  }
  // Members start with distinct incarnations 1..N; a node that rejoins gets a higher one.
  for (auto& node : nodes_) node.incarnation = nextIncarnation_++;

  const std::size_t nodeCount = nodes_.size();
  for (std::size_t g = 0; g < config.resourceGroupCount; ++g) {
    ClusterResourceGroup group;
    group.name = "app-rg-" + std::to_string(g + 1);
    group.primary = g % nodeCount;
    group.states.assign(nodeCount, std::string(rg::kOffline));
    group.states[*group.primary] = rg::kOnline;
    const std::size_t resourceCount = 1 + (g + 1) % 3;  // 2, 3, 1, 2, 3, 1, ...
    for (std::size_t i = 0; i < resourceCount; ++i) {
      ClusterResource resource;
      resource.name = "app-rs-" + std::to_string(g + 1) + "-" + std::to_string(i + 1);
      resource.states.assign(nodeCount, std::string(r::kOffline));
      resource.states[*group.primary] = r::kOnline;
      group.resources.push_back(std::move(resource));
    }
    groups_.push_back(std::move(group));
  }
}

ModelResult ClusterModel::nodeDown(std::string_view name) {
  const auto node = findNode(name);
  if (!node) return failure(ModelErrorKind::NotFound, "unknown node " + quoted(name));
  if (!nodes_[*node].up()) {
    return failure(ModelErrorKind::FailedPrecondition, "node " + quoted(name) + " is already down");
  }
  std::vector<Event> out;
  nodes_[*node].incarnation = -1;
  emitMembership(out);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].primary == node) {
      takeGroupOffline(g, *node, /*graceful=*/false, out);
      if (const auto target = failoverTarget(g, *node)) bringGroupOnline(g, *target, out);
      continue;
    }
    // A non-member reports OFFLINE for everything, failed resources included.
    for (std::size_t i = 0; i < groups_[g].resources.size(); ++i) {
      if (groups_[g].resources[i].states[*node] != r::kOffline) {
        setResourceState(g, i, *node, r::kOffline, out);
      }
    }
  }
  return success(std::move(out));
}

ModelResult ClusterModel::nodeUp(std::string_view name) {
  const auto node = findNode(name);
  if (!node) return failure(ModelErrorKind::NotFound, "unknown node " + quoted(name));
  if (nodes_[*node].up()) {
    return failure(ModelErrorKind::FailedPrecondition, "node " + quoted(name) + " is already up");
  }
  std::vector<Event> out;
  nodes_[*node].incarnation = nextIncarnation_++;
  emitMembership(out);
  // The rgm on the new member reports every group OFFLINE there.
  for (std::size_t g = 0; g < groups_.size(); ++g) out.push_back(stamp(groupEvent(g)));
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (!groups_[g].primary) bringGroupOnline(g, *node, out);
  }
  return success(std::move(out));
}

ModelResult ClusterModel::switchover(std::string_view groupName, std::string_view nodeName) {
  const auto group = findGroup(groupName);
  if (!group)
    return failure(ModelErrorKind::NotFound, "unknown resource group " + quoted(groupName));
  const auto node = findNode(nodeName);
  if (!node) return failure(ModelErrorKind::NotFound, "unknown node " + quoted(nodeName));
  if (!nodes_[*node].up()) {
    return failure(
        ModelErrorKind::FailedPrecondition,
        "cannot switch " + quoted(groupName) + " to " + quoted(nodeName) + ": the node is down");
  }
  std::vector<Event> out;
  const auto current = groups_[*group].primary;
  if (current == node) return success(std::move(out));  // already there: nothing happens
  if (current) takeGroupOffline(*group, *current, /*graceful=*/true, out);
  bringGroupOnline(*group, *node, out);
  return success(std::move(out));
}

ModelResult ClusterModel::failResource(std::string_view resourceName, std::string_view nodeName,
                                       ResourceFailure kind) {
  const auto ref = findResource(resourceName);
  if (!ref) return failure(ModelErrorKind::NotFound, "unknown resource " + quoted(resourceName));
  const auto node = findNode(nodeName);
  if (!node) return failure(ModelErrorKind::NotFound, "unknown node " + quoted(nodeName));
  const auto& group = groups_[ref->group];
  const auto& state = group.resources[ref->resource].states[*node];
  if (group.primary != node || state != r::kOnline) {
    return failure(ModelErrorKind::FailedPrecondition,
                   "resource " + quoted(resourceName) + " is " + state + " on " + quoted(nodeName) +
                       ", not ONLINE; only an online resource can fail");
  }
  std::vector<Event> out;
  if (kind == ResourceFailure::MonitorFailed) {
    setResourceState(ref->group, ref->resource, *node, r::kMonitorFailed, out);
    setGroupState(ref->group, *node, rg::kOnlineFaulted, out);
    return success(std::move(out));
  }
  // The fault monitor restarts the resource and the start fails; the rgm then moves the group
  // to another member. The failed resource keeps START_FAILED on this node until cleared.
  setResourceState(ref->group, ref->resource, *node, r::kStopping, out);
  setResourceState(ref->group, ref->resource, *node, r::kOffline, out);
  setResourceState(ref->group, ref->resource, *node, r::kStarting, out);
  setResourceState(ref->group, ref->resource, *node, r::kStartFailed, out);
  setGroupState(ref->group, *node, rg::kOnlineFaulted, out);
  if (const auto target = failoverTarget(ref->group, *node)) {
    takeGroupOffline(ref->group, *node, /*graceful=*/true, out);
    bringGroupOnline(ref->group, *target, out);
  }
  return success(std::move(out));
}

ModelResult ClusterModel::recoverResource(std::string_view resourceName,
                                          std::string_view nodeName) {
  const auto ref = findResource(resourceName);
  if (!ref) return failure(ModelErrorKind::NotFound, "unknown resource " + quoted(resourceName));
  const auto node = findNode(nodeName);
  if (!node) return failure(ModelErrorKind::NotFound, "unknown node " + quoted(nodeName));
  auto& group = groups_[ref->group];
  const std::string state = group.resources[ref->resource].states[*node];
  if (!isFailed(state)) {
    return failure(ModelErrorKind::FailedPrecondition, "resource " + quoted(resourceName) + " is " +
                                                           state + " on " + quoted(nodeName) +
                                                           ", not failed");
  }
  std::vector<Event> out;
  if (group.primary != node) {  // the group left after the failure: just clear the flag
    setResourceState(ref->group, ref->resource, *node, r::kOffline, out);
    return success(std::move(out));
  }
  if (state == r::kMonitorFailed) {
    setResourceState(ref->group, ref->resource, *node, r::kStopping, out);
    setResourceState(ref->group, ref->resource, *node, r::kOffline, out);
  }
  setResourceState(ref->group, ref->resource, *node, r::kStarting, out);
  setResourceState(ref->group, ref->resource, *node, r::kOnline, out);
  bool anyFailed = false;
  for (const auto& resource : group.resources) anyFailed |= isFailed(resource.states[*node]);
  if (!anyFailed) setGroupState(ref->group, *node, rg::kOnline, out);
  return success(std::move(out));
}

std::optional<std::size_t> ClusterModel::findNode(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> ClusterModel::findGroup(std::string_view name) const {
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    if (groups_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<ClusterModel::ResourceRef> ClusterModel::findResource(std::string_view name) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t i = 0; i < groups_[g].resources.size(); ++i) {
      if (groups_[g].resources[i].name == name) return ResourceRef{g, i};
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> ClusterModel::failoverTarget(std::size_t group,
                                                        std::size_t avoid) const {
  // The next member after `avoid` in node order, preferring one where no resource of the
  // group has failed to start (the rgm avoids ping-pong onto a node that just failed).
  std::optional<std::size_t> fallback;
  for (std::size_t step = 1; step < nodes_.size(); ++step) {
    const std::size_t candidate = (avoid + step) % nodes_.size();
    if (!nodes_[candidate].up()) continue;
    bool startFailed = false;
    for (const auto& resource : groups_[group].resources) {
      startFailed |= resource.states[candidate] == r::kStartFailed;
    }
    if (!startFailed) return candidate;
    if (!fallback) fallback = candidate;
  }
  return fallback;
}

void ClusterModel::setGroupState(std::size_t group, std::size_t node, std::string_view state,
                                 std::vector<Event>& out) {
  groups_[group].states[node] = state;
  out.push_back(stamp(groupEvent(group)));
}

void ClusterModel::setResourceState(std::size_t group, std::size_t resource, std::size_t node,
                                    std::string_view state, std::vector<Event>& out) {
  groups_[group].resources[resource].states[node] = state;
  out.push_back(stamp(resourceEvent(group, resource)));
}

void ClusterModel::takeGroupOffline(std::size_t group, std::size_t node, bool graceful,
                                    std::vector<Event>& out) {
  setGroupState(group, node, rg::kPendingOffline, out);
  auto& resources = groups_[group].resources;
  // Stop in reverse start order. A crashed node stops nothing: its resources are just gone.
  // A resource that failed to start stays START_FAILED there until it is cleared.
  for (std::size_t i = resources.size(); i-- > 0;) {
    const auto& state = resources[i].states[node];
    if (state == r::kOffline || (graceful && state == r::kStartFailed)) continue;
    if (graceful) setResourceState(group, i, node, r::kStopping, out);
    setResourceState(group, i, node, r::kOffline, out);
  }
  setGroupState(group, node, rg::kOffline, out);
  groups_[group].primary.reset();
}

void ClusterModel::bringGroupOnline(std::size_t group, std::size_t node, std::vector<Event>& out) {
  setGroupState(group, node, rg::kPendingOnline, out);
  for (std::size_t i = 0; i < groups_[group].resources.size(); ++i) {
    setResourceState(group, i, node, r::kStarting, out);
    setResourceState(group, i, node, r::kOnline, out);
  }
  setGroupState(group, node, rg::kOnline, out);
  groups_[group].primary = node;
}

void ClusterModel::emitMembership(std::vector<Event>& out) {
  out.push_back(stamp(membershipEvent()));
}

}  // namespace crnp::sim
