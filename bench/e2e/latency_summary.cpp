#include "latency_summary.hpp"

#include <algorithm>
#include <cmath>

namespace bench {
namespace {

// Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
std::int64_t rank(const std::vector<std::int64_t>& sorted, double fraction) {
  const auto index = static_cast<std::size_t>(std::ceil(fraction * sorted.size()));
  return sorted[std::clamp<std::size_t>(index, 1, sorted.size()) - 1];
}

}  // namespace

nlohmann::json summarizeMicros(std::vector<std::int64_t>& samples) {
  nlohmann::json out{{"count", samples.size()}, {"p50", 0}, {"p99", 0}, {"p999", 0}, {"max", 0}};
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  out["p50"] = rank(samples, 0.50);
  out["p99"] = rank(samples, 0.99);
  out["p999"] = rank(samples, 0.999);
  out["max"] = samples.back();
  return out;
}

}  // namespace bench
