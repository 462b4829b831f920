#pragma once
// crnp-gateway's configuration. Every option is a flag (--name), an environment variable
// (CRNP_GATEWAY_NAME) and a config-file key (name); the option table (option_table.hpp)
// declares each once. Precedence: flag > environment > config file > default
// (common/config_defaults.hpp).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config_defaults.hpp"

namespace gateway {

struct GatewayOptions {
  std::string grpcListen{defaults::kGrpcListen};
  std::vector<std::string> crnpServers;  ///< host:port, failover order
  std::string callbackListen{defaults::kCallbackListen};
  std::string callbackAllow;       ///< CIDR list; empty = the CRNP servers' addresses
  std::string registrationSource;  ///< source IP for registrations (= callback IP); empty = any
  std::string dataDir{defaults::kDataDir};
  // The registration store: SQLite under dataDir, or etcd (docs/etcd.md).
  std::string store{defaults::kStore};                  ///< "sqlite" or "etcd"
  std::string etcdEndpoints{defaults::kEtcdEndpoints};  ///< host:port,host:port,...
  std::string etcdPrefix{defaults::kEtcdPrefix};        ///< key prefix of everything stored
  std::string etcdCa;                                   ///< PEM CA; any TLS file set: TLS
  std::string etcdCert;                                 ///< PEM client certificate (mTLS)
  std::string etcdKey;                                  ///< PEM key of etcdCert
  std::string etcdUsername;                             ///< "" = no etcd authentication
  std::string etcdPasswordFile;                         ///< file holding etcdUsername's password
  std::chrono::milliseconds etcdDialTimeout = defaults::kEtcdDialTimeout;
  /// store etcd: this replica's name in the election and GetClusterState ("" = host name).
  std::string replicaName;
  std::chrono::milliseconds leaderLeaseTtl = defaults::kLeaderLeaseTtl;  ///< whole seconds
  bool embeddedCluster = false;
  std::string embeddedScenario{defaults::kEmbeddedScenario};
  double embeddedEventRate = defaults::kEmbeddedEventRate;
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
  std::string logLevel{defaults::kLogLevel};
  std::string logFormat{defaults::kLogFormat};  ///< "text" or "json"
  /// Register the cluster's events (class EC_Cluster: membership, resource group and resource
  /// states) for the gateway itself (metrics, GetClusterState), with or without clients.
  bool watchClusterState = defaults::kWatchClusterState;
  /// host:port of the Prometheus endpoint (/metrics); ":port" = every address; "off" = none.
  std::string metricsListen{defaults::kMetricsListen};

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

/// Parsed options, or the process exit code when parsing ended it (--help, --print-config: 0;
/// errors: 2, after printing a message that names the bad flag, variable or file key).
struct ParsedOptions {
  std::optional<GatewayOptions> options;
  int exitCode = 0;
};

/// Looks up an environment variable; nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process's own environment (getenv).
EnvironmentLookup processEnvironment();

/// Reads the flags, the environment and the config file (--config or CRNP_GATEWAY_CONFIG).
/// Help, --print-config's listing go to `out`; errors to `err`.
ParsedOptions parseGatewayOptions(int argc, const char* const* argv,
                                  const EnvironmentLookup& environment, std::ostream& out,
                                  std::ostream& err);

/// The same, with the process's environment, stdout and stderr.
ParsedOptions parseGatewayOptions(int argc, const char* const* argv);

/// --etcd-endpoints "a:1, b:2" -> {"a:1", "b:2"} (blanks around items and empty items dropped).
std::vector<std::string> splitEtcdEndpoints(const std::string& list);

}  // namespace gateway
