#pragma once
#include <string>
#include <vector>

namespace bench {

/// `crnp-bench-client emit --control HOST:PORT (--rate R | --burst K)`: asks crnp-sim's
/// EmitEvent for bench events, R per second until stdin closes, or K at once (all calls in
/// flight together), then prints {"emitted": n}. Exit 1 when a call fails.
int runSimEmitter(const std::vector<std::string>& args);

}  // namespace bench
