#pragma once
// LatencyHistogram: a fixed-bucket histogram of durations that any thread may observe into
// without a lock (relaxed atomics), read as a snapshot. Components record their latencies here
// and know nothing of Prometheus; the metrics folder exports the snapshots.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace gateway {

class LatencyHistogram {
 public:
  /// Upper bounds in seconds (Prometheus' default buckets, with sub-millisecond ones added: a
  /// hand-over inside the gateway takes microseconds).
  static constexpr std::array<double, 14> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

  struct Snapshot {
    /// Observations at most kBounds[i] (cumulative, as Prometheus wants them).
    std::array<std::uint64_t, kBounds.size()> cumulative{};
    std::uint64_t count = 0;  ///< all observations (the +Inf bucket)
    double sumSeconds = 0;
  };

  /// Negative durations (clocks stepped backwards) count as zero.
  void observe(std::chrono::nanoseconds duration);
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // last: +Inf
  std::atomic<std::uint64_t> sumNanos_{0};
};

}  // namespace gateway
