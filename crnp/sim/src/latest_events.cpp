#include "latest_events.hpp"

#include <algorithm>
#include <tuple>

#include "crnp/matching.hpp"

namespace crnp::sim {

bool LatestEvents::KeyLess::operator()(const EventType& a, const EventType& b) const {
  if (std::tie(a.eventClass, a.subclass) != std::tie(b.eventClass, b.subclass)) {
    return std::tie(a.eventClass, a.subclass) < std::tie(b.eventClass, b.subclass);
  }
  return std::lexicographical_compare(a.nvpairs.begin(), a.nvpairs.end(), b.nvpairs.begin(),
                                      b.nvpairs.end(), [](const NvPair& x, const NvPair& y) {
                                        return std::tie(x.name, x.values) <
                                               std::tie(y.name, y.values);
                                      });
}

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
