#pragma once
// ClusterStateSeries: the cluster's state as Prometheus-style series, from the latest event of
// each type (what the gateway already keeps for snapshots). Pure: no I/O, no Prometheus.
//
// The shape follows the exporters people alert on for other clusters (ha_cluster_exporter):
// a resource group's or resource's state on a node is one 0/1 series per state, with the state
// as a label. Every state ever seen for that object and node keeps its series, so a change
// flips one series 1 -> 0 and another 0 -> 1 instead of making a series vanish (a vanished
// series cannot be alerted on reliably). Nodes are members (0/1) with their incarnation.
//
// Memory is bounded: at most maxSeries (object, node, state) series are remembered; series
// beyond that are not exported and counted in droppedSeries().
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "crnp/messages.hpp"

namespace gateway {

class ClusterStateSeries {
 public:
  struct NodeSample {
    std::string node;
    bool member = false;
    std::optional<double> incarnation;  ///< unset when the cluster's value is not a number
  };
  struct StateSample {
    std::string object;  ///< resource group or resource name
    std::string node;
    std::string state;
    bool current = false;  ///< the object's state on that node now
  };

  explicit ClusterStateSeries(std::size_t maxSeries = 50'000) : maxSeries_(maxSeries) {}

  /// Takes the latest event of each type (in any order); events of other subclasses, and
  /// events without the documented pairs, are ignored.
  void update(const std::vector<crnp::Event>& latest);

  std::vector<NodeSample> nodes() const;
  std::vector<StateSample> resourceGroups() const { return samples(groups_); }
  std::vector<StateSample> resources() const { return samples(resources_); }
  std::uint64_t droppedSeries() const { return dropped_; }

 private:
  struct Placement {
    std::set<std::string> seen;
    std::string current;
  };
  using Key = std::tuple<std::string, std::string>;  // object, node
  void place(std::map<Key, Placement>& table, const std::string& object, const std::string& node,
             const std::string& state);
  static std::vector<StateSample> samples(const std::map<Key, Placement>& table);

  const std::size_t maxSeries_;
  std::size_t series_ = 0;
  std::uint64_t dropped_ = 0;
  std::map<std::string, std::string> incarnations_;  // node -> latest incarnation text
  std::map<Key, Placement> groups_;
  std::map<Key, Placement> resources_;
};

}  // namespace gateway
