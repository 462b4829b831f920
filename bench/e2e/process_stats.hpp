#pragma once
// What /proc says about another process on this machine: CPU time used and resident memory.
#include <sys/types.h>

#include <optional>

namespace bench {

/// utime + stime of `pid` in seconds (/proc/PID/stat), or nullopt when it cannot be read.
std::optional<double> processCpuSeconds(pid_t pid);

/// VmRSS of `pid` in KiB (/proc/PID/status), or nullopt.
std::optional<long> processRssKib(pid_t pid);

}  // namespace bench
