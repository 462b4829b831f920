#include "backoff.hpp"

#include <algorithm>

namespace gateway {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      random_(seed) {}

std::chrono::milliseconds Backoff::nominal() const {
  // Doubling stops at max, so neither the count nor the delay can overflow.
  auto delay = initial_;
  for (unsigned i = 0; i < attempts_ && delay < max_; ++i) delay = std::min(delay * 2, max_);
  return delay;
}

std::chrono::milliseconds Backoff::next() {
  const auto delay = nominal();
  ++attempts_;
  if (jitter_ == 0.0) return delay;
  std::uniform_real_distribution<double> fraction(0.0, jitter_);
  const double shortened = static_cast<double>(delay.count()) * (1.0 - fraction(random_));
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::milliseconds(static_cast<std::int64_t>(shortened)));
}

}  // namespace gateway
