#pragma once
// The one event shape every scenario sends: a resource group state change of a 3-node
// cluster with a `bench_seq` pair that makes each event distinct (the gateway suppresses
// repeats of the latest event of a key, ev_ pairs aside). The emitter asks crnp-sim for it,
// the bare server builds the same, the flood client sends it as SC_EVENT XML.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct BenchEventPair {
  std::string name;
  std::vector<std::string> values;
};

inline constexpr const char* kBenchSubclass = "ESC_cluster_rg_state";

inline std::vector<BenchEventPair> benchEventPairs(std::uint64_t sequence) {
  return {{"rg_name", {"bench-rg"}},
          {"node_list", {"phys-node-1", "phys-node-2", "phys-node-3"}},
          {"state_list", {sequence % 2 ? "ONLINE" : "OFFLINE", "OFFLINE", "OFFLINE"}},
          {"bench_seq", {std::to_string(sequence)}}};
}

}  // namespace bench
