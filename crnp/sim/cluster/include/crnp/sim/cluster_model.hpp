#pragma once
// The simulated Solaris Cluster: nodes with incarnation numbers, failover resource groups and
// their resources, each with a state per node. Every operation returns the events a real
// cluster's rgm would emit for it, in order (protocol reference section 5).
//
// Pure and deterministic: no I/O, no clock, no hidden randomness (randomStep takes the
// generator). Thread-compatible: callers serialise access.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crnp/messages.hpp"

namespace crnp::sim {

struct ClusterConfig {
  std::size_t nodeCount = 3;           ///< nodes phys-node-1..N, unless nodeNames is set
  std::vector<std::string> nodeNames;  ///< explicit node names (wins over nodeCount)
  std::size_t resourceGroupCount = 2;  ///< app-rg-1..N, each with 1-3 resources app-rs-G-R
  std::string vendor = "SUNW";         ///< VENDOR of every event: SUNW or ORCL
};

inline constexpr std::size_t kMaxNodes = 256;
inline constexpr std::size_t kMaxResourceGroups = 10000;

/// A message naming what is wrong with `config`, or nullopt when it is usable.
std::optional<std::string> validate(const ClusterConfig& config);

enum class ModelErrorKind {
  NotFound,            ///< unknown node, resource group or resource
  InvalidArgument,     ///< malformed request (e.g. an event without a subclass)
  FailedPrecondition,  ///< valid names, but the cluster is not in a state that allows it
  Unavailable          ///< the simulator is stopped
};

struct ModelError {
  ModelErrorKind kind = ModelErrorKind::InvalidArgument;
  std::string message;
};

/// What an operation did: the events it caused, or why it was refused (then no events and
/// no state change).
struct ModelResult {
  std::vector<Event> events;
  std::optional<ModelError> error;
  bool ok() const { return !error.has_value(); }
};

enum class ResourceFailure { StartFailed, MonitorFailed };

struct ClusterNode {
  std::string name;
  std::int64_t incarnation = -1;  ///< -1 while the node is not a cluster member
  bool up() const { return incarnation >= 0; }
};

/// `states[i]` is the state on node i (every group may run on every node, in node order).
struct ClusterResource {
  std::string name;
  std::vector<std::string> states;
};

struct ClusterResourceGroup {
  std::string name;
  std::vector<std::string> states;
  std::vector<ClusterResource> resources;
  std::optional<std::size_t> primary;  ///< node index the group is online (or faulted) on
};

class ClusterModel {
 public:
  /// `config` must pass validate().
  explicit ClusterModel(const ClusterConfig& config);

  /// Node leaves: membership event, then every group it hosted goes offline there and fails
  /// over to the next member (if any).
  ModelResult nodeDown(std::string_view node);
  /// Node joins with a new, higher incarnation: membership event, its groups report OFFLINE
  /// there, and groups that were offline everywhere come online on it.
  ModelResult nodeUp(std::string_view node);
  /// Moves a group to `node` (no events if it is already online there).
  ModelResult switchover(std::string_view group, std::string_view node);
  /// A resource fails on the node its group runs on. MonitorFailed: the group becomes
  /// ONLINE_FAULTED in place. StartFailed: a restart fails and the group fails over to another
  /// member (or stays ONLINE_FAULTED when there is none).
  ModelResult failResource(std::string_view resource, std::string_view node,
                           ResourceFailure failure);
  /// Clears a failed resource (what `clresource clear` does): a MONITOR_FAILED resource is
  /// restarted, a START_FAILED one on a node the group left becomes OFFLINE.
  ModelResult recoverResource(std::string_view resource, std::string_view node);
  /// One plausible random operation (switchover, node down/up keeping one member, resource
  /// failure or recovery). Empty when no operation is possible (one node, no groups).
  std::vector<Event> randomStep(std::mt19937_64& random);

  /// One event per type describing now: membership, each group, each resource. These carry
  /// no ev_ pairs and do not count as generated.
  std::vector<Event> currentState() const;
  /// Counts an event generated outside the model (an emitted one) and returns its number.
  std::uint64_t countExternalEvent() { return ++eventsGenerated_; }
  std::uint64_t eventsGenerated() const { return eventsGenerated_; }

  const std::vector<ClusterNode>& nodes() const { return nodes_; }
  const std::vector<ClusterResourceGroup>& groups() const { return groups_; }
  const std::string& vendor() const { return vendor_; }

 private:
  struct ResourceRef {
    std::size_t group;
    std::size_t resource;
  };
  std::optional<std::size_t> findNode(std::string_view name) const;
  std::optional<std::size_t> findGroup(std::string_view name) const;
  std::optional<ResourceRef> findResource(std::string_view name) const;
  std::optional<std::size_t> failoverTarget(std::size_t group, std::size_t avoid) const;

  // State changes that append the events they cause.
  void setGroupState(std::size_t group, std::size_t node, std::string_view state,
                     std::vector<Event>& out);
  void setResourceState(std::size_t group, std::size_t resource, std::size_t node,
                        std::string_view state, std::vector<Event>& out);
  void takeGroupOffline(std::size_t group, std::size_t node, bool graceful,
                        std::vector<Event>& out);
  void bringGroupOnline(std::size_t group, std::size_t node, std::vector<Event>& out);
  void emitMembership(std::vector<Event>& out);
  Event stamp(Event event);

  Event membershipEvent() const;
  Event groupEvent(std::size_t group) const;
  Event resourceEvent(std::size_t group, std::size_t resource) const;

  std::vector<ClusterNode> nodes_;
  std::vector<ClusterResourceGroup> groups_;
  std::string vendor_;
  std::int64_t nextIncarnation_ = 1;
  std::uint64_t eventsGenerated_ = 0;
};

std::string_view toString(ModelErrorKind kind);

}  // namespace crnp::sim
