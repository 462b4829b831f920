#include "cluster_state_series.hpp"

#include <charconv>

#include "crnp/cluster_events.hpp"

namespace gateway {
namespace {

const std::vector<std::string>* valuesOf(const crnp::Event& event, std::string_view name) {
  const crnp::NvPair* pair = event.find(name);
  return pair ? &pair->values : nullptr;
}

std::optional<double> number(const std::string& text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return static_cast<double>(value);
}

}  // namespace

void ClusterStateSeries::update(const std::vector<crnp::Event>& latest) {
  for (const crnp::Event& event : latest) {
    if (event.eventClass != crnp::kClusterClass) continue;
    const auto* nodes = valuesOf(event, "node_list");
    const auto* states = valuesOf(event, "state_list");
    if (!nodes || !states) continue;
    const std::size_t n = std::min(nodes->size(), states->size());
    if (event.subclass == crnp::kMembershipSubclass) {
      for (std::size_t i = 0; i < n; ++i) {
        const bool known = incarnations_.count((*nodes)[i]) > 0;
        if (!known && series_ >= maxSeries_) {
          ++dropped_;
          continue;
        }
        if (!known) ++series_;
        incarnations_[(*nodes)[i]] = (*states)[i];
      }
      continue;
    }
    const bool group = event.subclass == crnp::kRgStateSubclass;
    if (!group && event.subclass != crnp::kRStateSubclass) continue;
    const auto* name = valuesOf(event, group ? "rg_name" : "r_name");
    if (!name || name->size() != 1) continue;
    for (std::size_t i = 0; i < n; ++i) {
      place(group ? groups_ : resources_, name->front(), (*nodes)[i], (*states)[i]);
    }
  }
}

void ClusterStateSeries::place(std::map<Key, Placement>& table, const std::string& object,
                               const std::string& node, const std::string& state) {
  auto it = table.find({object, node});
  if (it == table.end()) {
    if (series_ >= maxSeries_) {
      ++dropped_;
      return;
    }
    it = table.try_emplace({object, node}).first;
  }
  Placement& placement = it->second;
  if (!placement.seen.count(state)) {
    if (series_ >= maxSeries_) {
      ++dropped_;
      return;
    }
    placement.seen.insert(state);
    ++series_;
  }
  placement.current = state;
}

std::vector<ClusterStateSeries::NodeSample> ClusterStateSeries::nodes() const {
  std::vector<NodeSample> out;
  for (const auto& [node, incarnation] : incarnations_) {
    out.push_back({node, incarnation != "-1", number(incarnation)});
  }
  return out;
}

std::vector<ClusterStateSeries::StateSample> ClusterStateSeries::samples(
    const std::map<Key, Placement>& table) {
  std::vector<StateSample> out;
  for (const auto& [key, placement] : table) {
    for (const auto& state : placement.seen) {
      out.push_back({std::get<0>(key), std::get<1>(key), state, state == placement.current});
    }
  }
  return out;
}

}  // namespace gateway
