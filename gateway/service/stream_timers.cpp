#include "stream_timers.hpp"

#include <algorithm>
#include <functional>

namespace gateway {

StreamTimers::StreamTimers() : thread_([this] { run(); }) {}

StreamTimers::~StreamTimers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

StreamTimers::Id StreamTimers::add(Client& client) {
  std::lock_guard lock(mutex_);
  const Id id = nextId_++;
  entries_.emplace(id, Entry{&client, {}});
  return id;
}

void StreamTimers::schedule(Id id, Kind kind, Clock::time_point deadline) {
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    const auto index = static_cast<std::size_t>(kind);
    it->second.deadlines[index] = deadline;
    it->second.armed[index] = true;
    earliest = heap_.empty() || deadline < heap_.front().deadline;
    heap_.push_back({deadline, id, kind});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    compactLocked();
  }
  if (earliest) wake_.notify_one();  // the thread sleeps until a later deadline
}

void StreamTimers::remove(Id id) {
  std::lock_guard calls(callMutex_);
  std::lock_guard lock(mutex_);
  entries_.erase(id);  // its heap slots are stale now: dropped when due, or by compaction
  compactLocked();
}

void StreamTimers::compactLocked() {
  // Stale slots (ended streams, replaced deadlines) would otherwise stay until their deadline,
  // up to a maximum stream age away: with streams that come and go that is unbounded. Rebuilt
  // when they are most of the heap, so the cost is amortized O(1) per stale slot.
  if (heap_.size() <= 2 * (2 * entries_.size()) + 64) return;
  std::erase_if(heap_, [this](const Slot& slot) {
    const auto it = entries_.find(slot.id);
    const auto index = static_cast<std::size_t>(slot.kind);
    return it == entries_.end() || !it->second.armed[index] ||
           it->second.deadlines[index] != slot.deadline;
  });
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
  if (heap_.capacity() > 4 * heap_.size() + 64) heap_.shrink_to_fit();
}

std::size_t StreamTimers::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t StreamTimers::heldDeadlines() const {
  std::lock_guard lock(mutex_);
  return heap_.size();
}

void StreamTimers::run() {
  std::vector<std::pair<Client*, Kind>> due;
  for (;;) {
    std::unique_lock calls(callMutex_);
    std::unique_lock lock(mutex_);
    for (;;) {
      if (stopping_) return;
      if (heap_.empty()) {
        // Not holding callMutex_ while asleep: remove() must not wait for a deadline.
        calls.unlock();
        wake_.wait(lock);
      } else if (const auto next = heap_.front().deadline; Clock::now() < next) {
        calls.unlock();
        wake_.wait_until(lock, next);
      } else {
        break;
      }
      // Re-take the locks in their order.
      lock.unlock();
      calls.lock();
      lock.lock();
    }
    const auto now = Clock::now();
    due.clear();
    while (!heap_.empty() && heap_.front().deadline <= now) {
      const Slot slot = heap_.front();
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.pop_back();
      const auto it = entries_.find(slot.id);
      if (it == entries_.end()) continue;  // removed
      Entry& entry = it->second;
      const auto index = static_cast<std::size_t>(slot.kind);
      if (!entry.armed[index] || entry.deadlines[index] != slot.deadline) continue;  // replaced
      entry.armed[index] = false;
      due.emplace_back(entry.client, slot.kind);
    }
    lock.unlock();
    for (const auto& [client, kind] : due) client->onTimer(kind);
  }
}

}  // namespace gateway
