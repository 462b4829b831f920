#include "latest_events.hpp"

#include <algorithm>
#include <tuple>

#include "crnp/matching.hpp"

namespace crnp::sim {

void LatestEvents::record(std::uint64_t sequence, const Event& event,
                          std::shared_ptr<const std::string> document) {
  auto& slot = byKey_[eventKey(event)];
  slot.sequence = sequence;
  slot.event = event;
  slot.document = std::move(document);
}

std::vector<const LatestEvent*> LatestEvents::matchingAny(
    const std::vector<EventType>& types) const {
  std::vector<const LatestEvent*> found;
  for (const auto& [key, latest] : byKey_) {
    const bool wanted = std::any_of(types.begin(), types.end(), [&](const EventType& type) {
      return matches(type, latest.event);
    });
    if (wanted) found.push_back(&latest);
  }
  std::sort(found.begin(), found.end(),
            [](const LatestEvent* a, const LatestEvent* b) { return a->sequence < b->sequence; });
  return found;
}

}  // namespace crnp::sim
