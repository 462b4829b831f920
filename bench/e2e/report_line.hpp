#pragma once
// The programs talk to the driver (bench/e2e.py) in JSON lines on stdout, flushed at once.
#include <cstdio>
#include <nlohmann/json.hpp>

namespace bench {

inline void printLine(const nlohmann::json& line) {
  std::fputs((line.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
}

/// Prints {"error": what} and returns the exit code 1, for `return fail(...)`.
inline int fail(const std::string& what) {
  printLine({{"error", what}});
  return 1;
}

}  // namespace bench
