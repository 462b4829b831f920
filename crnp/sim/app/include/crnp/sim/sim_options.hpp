#pragma once
// Command line of crnp-sim: every flag has an environment twin (CRNP_SIM_<FLAG>); the flag
// wins. Durations are read by crnp::parseDuration, addresses by crnp::parseEndpoint.
#include <optional>
#include <string>

#include "crnp/sim/simulator.hpp"

namespace crnp::sim {

struct SimOptions {
  SimulatorConfig simulator;
  std::string controlListen = "127.0.0.1:9555";  ///< gRPC address of the control API
  std::string logLevel = "info";
};

/// Either options to run with, or text to print and the exit code (0 after --help, 2 for a bad
/// command line; the text then names the flag and what is wrong with it).
struct ParsedOptions {
  std::optional<SimOptions> options;
  int exitCode = 0;
  std::string output;
};

ParsedOptions parseSimOptions(int argc, const char* const* argv);

}  // namespace crnp::sim
