// crnp-bench-client: the client side of the end-to-end benchmarks (bench/e2e.py runs it).
//   subscribe  Subscribe streams: set-up time, delivered events, latencies, storms
//   emit       events through crnp-sim's control API, paced or as one burst
//   flood      CRNP event deliveries to a callback port (the gateway's or the bare loop's)
//   register   registration round trips, through the gateway or straight to the cluster
#include <sys/resource.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest_flood.hpp"
#include "register_round_trip.hpp"
#include "sim_emitter.hpp"
#include "subscribe_load.hpp"

namespace {

// 10,000 streams need only ~100 sockets, but the flood opens many in a row: take the hard limit.
void raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: crnp-bench-client subscribe|emit|flood|register [--option value ...]\n";
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  raiseFileLimit();
  const std::string mode = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (mode == "subscribe") return bench::runSubscribeLoad(args);
    if (mode == "emit") return bench::runSimEmitter(args);
    if (mode == "flood") return bench::runIngestFlood(args);
    if (mode == "register") return bench::runRegisterRoundTrip(args);
  } catch (const std::invalid_argument& e) {
    std::cerr << "crnp-bench-client " << mode << ": " << e.what() << "\n" << usage;
    return 2;
  }
  std::cerr << usage;
  return 2;
}
