#pragma once
// Times as stored on disk and in etcd: nanoseconds since the Unix epoch, signed 64-bit (good
// until the year 2262), the one representation of the registry and the event log.
#include <chrono>
#include <cstdint>

namespace gateway {

inline std::int64_t toUnixNanos(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

inline std::chrono::system_clock::time_point fromUnixNanos(std::int64_t nanos) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(nanos)));
}

}  // namespace gateway
