#pragma once
// crnp-gateway's command line: every flag has an environment-variable twin (CRNP_GATEWAY_*).
// Defaults come from the one table (common/config_defaults.hpp).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_defaults.hpp"

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

  std::size_t ringEvents = defaults::kRingEvents;
  std::size_t ringBytes = defaults::kRingBytes;
  std::size_t streamQueueEvents = defaults::kStreamQueueEvents;
  std::size_t streamQueueBytes = defaults::kStreamQueueBytes;
  std::size_t maxStreams = defaults::kMaxStreams;
  std::chrono::milliseconds maxStreamAge = defaults::kMaxStreamAge;
  std::chrono::milliseconds connectTimeout = defaults::kConnectTimeout;
  std::chrono::milliseconds replyTimeout = defaults::kReplyTimeout;
  std::chrono::milliseconds reregisterInterval = defaults::kReregisterInterval;
  std::chrono::milliseconds silenceThreshold = defaults::kSilenceThreshold;
  std::chrono::milliseconds callbackReadTimeout = defaults::kCallbackReadTimeout;
  std::size_t callbackMaxConnections = defaults::kCallbackMaxConnections;
  std::size_t callbackMaxConnectionsPerPeer = defaults::kCallbackMaxConnectionsPerPeer;
  std::chrono::milliseconds callbackFirstByteTimeout = defaults::kCallbackFirstByteTimeout;
  std::chrono::milliseconds shutdownTimeout = defaults::kShutdownTimeout;
  std::string logLevel = "info";

  // The gRPC port's security and limits (docs/security.md).
  std::string tlsCert;          ///< PEM chain; "" = plaintext
  std::string tlsKey;           ///< PEM key of tlsCert
  std::string tlsClientCa;      ///< PEM CA; set: clients must present a certificate it signed
  std::string authTokens;       ///< token file; "" = no tokens needed
  bool authReflection = false;  ///< reflection needs a read token too
  std::chrono::milliseconds securityReloadInterval = defaults::kSecurityReloadInterval;
  std::size_t maxStreamsPerConnection = defaults::kMaxStreamsPerConnection;
  std::size_t maxReceiveMessageBytes = defaults::kMaxReceiveMessageBytes;
  std::chrono::milliseconds keepaliveMinPingInterval = defaults::kKeepaliveMinPingInterval;
  bool keepalivePermitWithoutCalls = defaults::kKeepalivePermitWithoutCalls;
};

/// Parsed options, or the process exit code when parsing ended it (--help: 0, errors: 2,
/// after printing a message that names the bad flag or value).
struct ParsedOptions {
  std::optional<GatewayOptions> options;
  int exitCode = 0;
};

ParsedOptions parseGatewayOptions(int argc, const char* const* argv);

}  // namespace gateway
