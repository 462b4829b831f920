#pragma once
#include <string>
#include <vector>

namespace bench {

/// `crnp-bench-client subscribe`: N streams over ceil(N / per-connection) connections; prints
/// {"phase":"ready","setup_ms":...} once every stream had snapshot_end, then obeys stdin lines:
/// `measure` (start a window), `drain` (wait until 300 ms pass without events), `report` (print the
/// window's figures), `storm K` (print the figures once every stream had K more live events),
/// `quit`. Exit 1 when a stream fails.
int runSubscribeLoad(const std::vector<std::string>& args);

}  // namespace bench
