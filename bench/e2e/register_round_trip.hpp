#pragma once
#include <string>
#include <vector>

namespace bench {

/// `crnp-bench-client register (--gateway HOST:PORT | --crnp-server IP:PORT --callback-port P)
/// --count K`: K registration changes, each adding a new event type so that it reaches the
/// cluster: through the gateway's Register, or directly as CRNP exchanges with the cluster
/// (ADD_CLIENT, then ADD_EVENTS), the baseline. Prints the round trips' percentiles.
int runRegisterRoundTrip(const std::vector<std::string>& args);

}  // namespace bench
