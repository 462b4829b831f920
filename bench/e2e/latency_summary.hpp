#pragma once
// Percentiles of latency samples (microseconds) as the JSON object the driver reads.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace bench {

/// {"count", "p50", "p99", "p999", "max"} of `samples` (sorted in place); zeros when empty.
nlohmann::json summarizeMicros(std::vector<std::int64_t>& samples);

}  // namespace bench
