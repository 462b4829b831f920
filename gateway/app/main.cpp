// crnp-gateway: follow a Solaris Cluster's reconfiguration events (CRNP) over gRPC.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "gateway_app.hpp"
#include "gateway_options.hpp"

int main(int argc, char** argv) {
  auto parsed = gateway::parseGatewayOptions(argc, argv);
  if (!parsed.options) return parsed.exitCode;
  spdlog::set_level(spdlog::level::from_str(parsed.options->logLevel));

  gateway::GatewayApp app(std::move(*parsed.options));
  if (auto error = app.start()) {
    std::fprintf(stderr, "crnp-gateway: %s\n", error->c_str());
    return 1;
  }
  app.runUntilSignalled();
  return 0;
}
