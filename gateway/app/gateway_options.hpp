#pragma once
// crnp-gateway's command line: every flag has an environment-variable twin (CRNP_GATEWAY_*).
// The defaults here are the one place for the gateway's tunables.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gateway {

struct GatewayOptions {
  std::string grpcListen = "0.0.0.0:50051";
  std::vector<std::string> crnpServers;  ///< host:port, failover order
  std::string callbackListen = "0.0.0.0:9445";
  std::string callbackAllow;       ///< CIDR list; empty = the CRNP servers' addresses
  std::string registrationSource;  ///< source IP for registrations (= callback IP); empty = any
  std::string dataDir = "crnp-gateway-data";
  bool embeddedCluster = false;
  std::string embeddedScenario = "random";
  double embeddedEventRate = 1.0;
  std::uint64_t embeddedSeed = 0;  ///< 0 = random

  std::size_t ringEvents = 100'000;
  std::size_t ringBytes = 64u << 20;
  std::size_t streamQueueEvents = 4096;
  std::size_t streamQueueBytes = 16u << 20;
  std::chrono::milliseconds maxStreamAge{30 * 60'000};
  std::chrono::milliseconds connectTimeout{5'000};
  std::chrono::milliseconds replyTimeout{10'000};
  std::chrono::milliseconds reregisterInterval{30'000};
  std::chrono::milliseconds silenceThreshold{10 * 60'000};
  std::chrono::milliseconds callbackReadTimeout{10'000};
  std::size_t callbackMaxConnections = 256;
  std::size_t callbackMaxConnectionsPerPeer = 32;
  std::chrono::milliseconds callbackFirstByteTimeout{1'000};
  std::chrono::milliseconds shutdownTimeout{10'000};
  std::string logLevel = "info";
};

/// Parsed options, or the process exit code when parsing ended it (--help: 0, errors: 2,
/// after printing a message that names the bad flag or value).
struct ParsedOptions {
  std::optional<GatewayOptions> options;
  int exitCode = 0;
};

ParsedOptions parseGatewayOptions(int argc, const char* const* argv);

}  // namespace gateway
