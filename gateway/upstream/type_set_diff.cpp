#include "type_set_diff.hpp"

#include <algorithm>
#include <functional>
#include <iterator>

namespace gateway {
EventTypes normalizeTypes(EventTypes types) {
  std::sort(types.begin(), types.end(), std::less<>());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

TypeSetDiff diffTypes(const EventTypes& from, const EventTypes& to) {
  TypeSetDiff diff;
  std::set_difference(to.begin(), to.end(), from.begin(), from.end(),
                      std::back_inserter(diff.added), std::less<>());
  std::set_difference(from.begin(), from.end(), to.begin(), to.end(),
                      std::back_inserter(diff.removed), std::less<>());
  return diff;
}

RegistrationPlan planChange(RegistrationState state, const EventTypes& confirmed,
                            const EventTypes& desired) {
  using Kind = RegistrationPlan::Kind;
  if (desired == confirmed) return {Kind::None, {}};
  if (desired.empty()) {
    if (state == RegistrationState::NotRegistered) return {Kind::None, {}};
    return {Kind::RemoveClient, {}};
  }
  if (state != RegistrationState::Registered) return {Kind::AddClient, desired};
  TypeSetDiff diff = diffTypes(confirmed, desired);
  if (!diff.added.empty() && !diff.removed.empty()) return {Kind::AddClient, desired};
  if (!diff.added.empty()) return {Kind::AddEvents, std::move(diff.added)};
  return {Kind::RemoveEvents, std::move(diff.removed)};
}

const char* toString(RegistrationPlan::Kind kind) {
  switch (kind) {
    case RegistrationPlan::Kind::None:
      return "no change";
    case RegistrationPlan::Kind::AddClient:
      return "ADD_CLIENT";
    case RegistrationPlan::Kind::AddEvents:
      return "ADD_EVENTS";
    case RegistrationPlan::Kind::RemoveEvents:
      return "REMOVE_EVENTS";
    case RegistrationPlan::Kind::RemoveClient:
      return "REMOVE_CLIENT";
  }
  return "?";
}

}  // namespace gateway
