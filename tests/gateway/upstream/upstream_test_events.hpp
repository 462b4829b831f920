#pragma once
// Test data and recorders for CrnpUpstream tests: CRNP event types and events, and thread-safe
// recorders of what reached onEvent and the health listener (waits have deadlines).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "crnp/messages.hpp"
#include "loopback_peer.hpp"
#include "upstream.hpp"

namespace gateway::test {

using crnp::test::kTestDeadline;

inline crnp::EventType membershipType() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
inline crnp::EventType rgType(const std::string& name) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {name}}}};
}

inline crnp::Event membershipEvent(const std::string& incarnation) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_membership";
  event.vendor = "SUNW";
  event.publisher = "rgm";
  event.nvpairs = {{"node_list", {"phys-1", "phys-2"}}, {"state_list", {incarnation, "-1"}}};
  return event;
}

inline crnp::Event rgEvent(const std::string& name, const std::string& state) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_rg_state";
  event.vendor = "ORCL";
  event.publisher = "rgm";
  event.nvpairs = {{"rg_name", {name}}, {"node_list", {"phys-1"}}, {"state_list", {state}}};
  return event;
}

/// Events handed to onEvent, in order.
class EventRecorder {
 public:
  void add(crnp::Event event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  bool waitCount(std::size_t n, std::chrono::milliseconds timeout = kTestDeadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<crnp::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<crnp::Event> events_;
};

/// Every `healthy` value the health listener reported, in order.
class HealthRecorder {
 public:
  void add(const UpstreamHealth& health) {
    {
      std::lock_guard lock(mutex_);
      changes_.push_back(health.healthy);
    }
    changed_.notify_all();
  }
  /// Waits until the listener reported unhealthy and, after that, healthy.
  bool waitUnhealthyThenHealthy(std::chrono::milliseconds timeout = kTestDeadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      auto down = std::find(changes_.begin(), changes_.end(), false);
      return down != changes_.end() && std::find(down, changes_.end(), true) != changes_.end();
    });
  }
  /// The listener runs on changes only: no two reports in a row say the same.
  bool alternates() const {
    std::lock_guard lock(mutex_);
    return std::adjacent_find(changes_.begin(), changes_.end()) == changes_.end();
  }
  std::vector<bool> changes() const {
    std::lock_guard lock(mutex_);
    return changes_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> changes_;
};

}  // namespace gateway::test
