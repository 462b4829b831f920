#include "crnp/matching.hpp"

#include <algorithm>
#include <vector>

#include "crnp/cluster_events.hpp"

namespace crnp {
namespace {

constexpr std::string_view kMembership = kMembershipSubclass;
constexpr std::string_view kRgState = kRgStateSubclass;
constexpr std::string_view kRState = kRStateSubclass;

// The pair an rg_state / r_state event is keyed and subscribed by, or empty for others.
std::string_view keyPairName(std::string_view eventClass, std::string_view subclass) {
  if (eventClass != kClusterClass) return {};
  if (subclass == kRgState) return "rg_name";
  if (subclass == kRState) return "r_name";
  return {};
}

}  // namespace

bool matches(const EventType& registered, const Event& event) {
  if (registered.eventClass != event.eventClass) return false;
  if (!registered.subclass.empty() && registered.subclass != event.subclass) return false;
  return std::all_of(registered.nvpairs.begin(), registered.nvpairs.end(),
                     [&](const NvPair& wanted) {
                       return std::any_of(event.nvpairs.begin(), event.nvpairs.end(),
                                          [&](const NvPair& have) { return have == wanted; });
                     });
}

bool matchesAny(const std::vector<EventType>& registered, const Event& event) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const EventType& type) { return matches(type, event); });
}

EventType eventKey(const Event& event) {
  EventType key{event.eventClass, event.subclass, {}};
  std::string_view pairName = keyPairName(event.eventClass, event.subclass);
  if (!pairName.empty()) {
    if (const NvPair* pair = event.find(pairName)) key.nvpairs.push_back(*pair);
  }
  return key;
}

bool isServerPrivatePair(std::string_view name) { return name.starts_with("ev_"); }

bool equalForClients(const Event& a, const Event& b) {
  if (a.eventClass != b.eventClass || a.subclass != b.subclass || a.vendor != b.vendor ||
      a.publisher != b.publisher) {
    return false;
  }
  // The client-visible pairs of each, in a canonical order.
  auto clientPairs = [](const Event& event) {
    std::vector<const NvPair*> pairs;
    pairs.reserve(event.nvpairs.size());
    for (const auto& pair : event.nvpairs) {
      if (!isServerPrivatePair(pair.name)) pairs.push_back(&pair);
    }
    std::sort(pairs.begin(), pairs.end(), [](const NvPair* x, const NvPair* y) { return *x < *y; });
    return pairs;
  };
  const auto left = clientPairs(a);
  const auto right = clientPairs(b);
  return std::equal(left.begin(), left.end(), right.begin(), right.end(),
                    [](const NvPair* x, const NvPair* y) { return *x == *y; });
}

std::optional<std::string> validateEventType(const EventType& type) {
  const std::string what = "event type " + describe(type) + ": ";
  if (type.eventClass.empty()) return what + "CLASS is empty";
  for (const auto& pair : type.nvpairs) {
    if (pair.name.empty()) return what + "an NVPAIR has an empty NAME";
    if (pair.values.empty()) return what + "NVPAIR " + pair.name + " has no VALUE";
  }
  if (type.eventClass != kClusterClass) return std::nullopt;

  if (type.subclass.empty() || type.subclass == kMembership) {
    if (!type.nvpairs.empty()) {
      return what + (type.subclass.empty() ? "all EC_Cluster events" : type.subclass) +
             " takes no NVPAIR";
    }
    return std::nullopt;
  }
  std::string_view pairName = keyPairName(type.eventClass, type.subclass);
  if (pairName.empty()) return std::nullopt;  // another subclass: well-formed pairs suffice
  if (type.nvpairs.size() != 1 || type.nvpairs.front().name != pairName) {
    return what + type.subclass + " needs exactly one NVPAIR, " + std::string(pairName);
  }
  if (type.nvpairs.front().values.size() != 1) {
    return what + std::string(pairName) + " needs exactly one VALUE (events carry one name)";
  }
  // No group or resource is named "": such a type could never match an event.
  if (type.nvpairs.front().values.front().empty()) {
    return what + "the " + std::string(pairName) + " VALUE is empty";
  }
  return std::nullopt;
}

}  // namespace crnp
