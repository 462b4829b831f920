#include "latency_histogram.hpp"

#include <algorithm>

namespace gateway {

void LatencyHistogram::observe(std::chrono::nanoseconds duration) {
  const auto nanos = std::max<std::chrono::nanoseconds::rep>(duration.count(), 0);
  const double seconds = static_cast<double>(nanos) / 1e9;
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sumNanos_.fetch_add(static_cast<std::uint64_t>(nanos), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot out;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative[i] = running;
  }
  out.count = running + buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out.sumSeconds = static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

}  // namespace gateway
