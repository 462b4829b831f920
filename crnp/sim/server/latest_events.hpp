#pragma once
// The most recent event of each event type (crnp::eventKey), for the snapshot a client gets
// right after it registers. Each entry keeps its document serialised once and the sequence
// number of its publication, so snapshots keep the cluster's order. Not thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crnp/messages.hpp"

namespace crnp::sim {

struct LatestEvent {
  std::uint64_t sequence = 0;
  Event event;
  std::shared_ptr<const std::string> document;  ///< writeEvent(event)
};

class LatestEvents {
 public:
  void record(std::uint64_t sequence, const Event& event,
              std::shared_ptr<const std::string> document);
  /// Every latest event matching at least one of `types`, each once, oldest first. For an
  /// exact type (membership, one rg_name, one r_name) that is its one latest event; for a
  /// class-only or subclass-only type, every latest event it covers.
  std::vector<const LatestEvent*> matchingAny(const std::vector<EventType>& types) const;
  std::size_t size() const { return byKey_.size(); }

 private:
  std::map<EventType, LatestEvent> byKey_;
};

}  // namespace crnp::sim
