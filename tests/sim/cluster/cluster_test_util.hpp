#pragma once
// Helpers for tests of the simulated cluster: one-line summaries of events and a check of
// the model's invariants.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crnp/sim/cluster_model.hpp"

namespace crnp::sim::test {

inline std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ",") + value;
  return out;
}

inline std::string valuesOf(const Event& event, std::string_view name) {
  const auto* pair = event.find(name);
  return pair ? join(pair->values) : "<missing " + std::string(name) + ">";
}

/// "M 1,-1,3", "RG app-rg-1 ONLINE,OFFLINE", "R app-rs-1-1 STARTING,OFFLINE".
inline std::string summarize(const Event& event) {
  if (event.subclass == "ESC_cluster_membership") return "M " + valuesOf(event, "state_list");
  if (event.subclass == "ESC_cluster_rg_state") {
    return "RG " + valuesOf(event, "rg_name") + " " + valuesOf(event, "state_list");
  }
  if (event.subclass == "ESC_cluster_r_state") {
    return "R " + valuesOf(event, "r_name") + " " + valuesOf(event, "state_list");
  }
  return "? " + event.subclass;
}

inline std::vector<std::string> summarizeAll(const std::vector<Event>& events) {
  std::vector<std::string> lines;
  for (const auto& event : events) lines.push_back(summarize(event));
  return lines;
}

/// The event's type for "latest of its type": subclass plus the group or resource name.
inline std::string key(const Event& event) {
  return event.subclass + "/" + valuesOf(event, "rg_name") + "/" + valuesOf(event, "r_name");
}

inline Event withoutEvPairs(Event event) {
  std::erase_if(event.nvpairs, [](const NvPair& pair) { return pair.name.starts_with("ev_"); });
  return event;
}

/// A group runs (ONLINE or ONLINE_FAULTED) on exactly its primary and is OFFLINE elsewhere; it
/// has no primary only when no node is up; non-members report OFFLINE for everything.
inline void expectConsistent(const ClusterModel& model) {
  bool anyUp = false;
  for (const auto& node : model.nodes()) anyUp |= node.up();
  for (const auto& group : model.groups()) {
    EXPECT_EQ(group.primary.has_value(), anyUp) << group.name;
    for (std::size_t n = 0; n < model.nodes().size(); ++n) {
      const bool hosts = group.primary == n;
      const auto& state = group.states[n];
      if (hosts) {
        EXPECT_TRUE(model.nodes()[n].up()) << group.name;
        EXPECT_TRUE(state == "ONLINE" || state == "ONLINE_FAULTED") << group.name << " " << state;
      } else {
        EXPECT_EQ(state, "OFFLINE") << group.name << " on node " << n;
      }
      bool anyFailed = false;
      for (const auto& resource : group.resources) {
        const auto& rs = resource.states[n];
        anyFailed |= hosts && (rs == "START_FAILED" || rs == "MONITOR_FAILED");
        if (!model.nodes()[n].up()) {
          EXPECT_EQ(rs, "OFFLINE") << resource.name << " on a non-member";
        } else if (hosts) {
          EXPECT_TRUE(rs == "ONLINE" || rs == "MONITOR_FAILED" || rs == "START_FAILED")
              << resource.name << " " << rs;
        } else {
          EXPECT_TRUE(rs == "OFFLINE" || rs == "START_FAILED") << resource.name << " " << rs;
        }
      }
      if (hosts) {
        EXPECT_EQ(anyFailed, state == "ONLINE_FAULTED") << group.name;
      }
    }
  }
}

}  // namespace crnp::sim::test
