#pragma once
// eventually(): polls a condition with a deadline, for state that signals nothing (counters).
#include <chrono>
#include <thread>

namespace crnp::test {

inline constexpr std::chrono::milliseconds kEventuallyDeadline{10000};

/// Polls `condition` until it holds or the deadline passes (for counters with no event).
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = kEventuallyDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace crnp::test
