#pragma once
// Events and batches for the event log's tests.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "event_log_store.hpp"

namespace gateway::testing {

using namespace std::chrono_literals;

inline constexpr std::uint64_t kEpoch = 0x0123456789abcdefULL;
inline const auto kReceived = std::chrono::system_clock::time_point(1'700'000'000s);

/// Each group is its own key (crnp::eventKey); the state tells events of one group apart.
inline crnp::Event rgEvent(const std::string& group, const std::string& state) {
  return {
      "1.0",  "EC_Cluster", "ESC_cluster_rg_state",
      "SUNW", "rgm",        {{"rg_name", {group}}, {"node_list", {"n1"}}, {"state_list", {state}}}};
}

inline JournalEntry entry(std::uint64_t sequence, const std::string& group,
                          const std::string& state) {
  return {sequence, rgEvent(group, state), kReceived + std::chrono::seconds(sequence)};
}

/// Events `first`..`last`, each a new state of group "g<sequence % groups>".
inline EventLogBatch batchOf(std::uint64_t first, std::uint64_t last, std::size_t bytes = 100,
                             std::uint64_t groups = 1000) {
  EventLogBatch batch;
  for (std::uint64_t sequence = first; sequence <= last; ++sequence) {
    batch.events.push_back(
        {entry(sequence, "g" + std::to_string(sequence % groups), "s" + std::to_string(sequence)),
         bytes});
  }
  return batch;
}

inline std::vector<std::uint64_t> sequencesOf(const std::vector<JournalEntry>& entries) {
  std::vector<std::uint64_t> out;
  for (const auto& e : entries) out.push_back(e.sequence);
  return out;
}

}  // namespace gateway::testing
