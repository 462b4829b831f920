// crnp-gateway: follow a Solaris Cluster's reconfiguration events (CRNP) over gRPC.
#include "gateway_app.hpp"
#include "gateway_options.hpp"
#include "logging_setup.hpp"

int main(int argc, char** argv) {
  auto parsed = gateway::parseGatewayOptions(argc, argv);
  if (!parsed.options) return parsed.exitCode;
  const auto format = gateway::logFormatFromString(parsed.options->logFormat);
  gateway::configureLogging(parsed.options->logLevel, format);

  gateway::GatewayApp app(std::move(*parsed.options));
  if (auto error = app.start()) {
    gateway::reportFatal(format, *error);
    return 1;
  }
  app.runUntilSignalled();
  return 0;
}
