#pragma once
// The gateway's defaults and limits, in one place. The options (app/option_table), the
// component configs (UpstreamConfig, EventHubConfig, SubscriptionConfig, StreamSettings) and
// the documentation (README's flag table, docs/configuration.md and the Helm chart's comments,
// checked by tests/gateway/app/defaults_documented_test.cpp) take their values from here.
//
// Registration limits exist because every registration ends up in one CRNP document upstream
// (the union of all types) and in the registry file; a client must not be able to grow either
// without bound.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crnp/limits.hpp"

namespace gateway {

/// Defaults of the tunables that have a flag (the flag's name in each comment). The option
/// table (app/option_table.cpp) gives the same default to the flag, its environment twin and
/// its config-file key, and --print-config and docs/configuration.md show it.
namespace defaults {
using namespace std::chrono_literals;
inline constexpr std::size_t kRingEvents = 100'000;                ///< --ring-events
inline constexpr std::size_t kRingBytes = 64u << 20;               ///< --ring-bytes
inline constexpr std::size_t kStreamQueueEvents = 4096;            ///< --stream-queue-events
inline constexpr std::size_t kStreamQueueBytes = 16u << 20;        ///< --stream-queue-bytes
inline constexpr std::size_t kMaxStreams = 10'000;                 ///< --max-streams
inline constexpr std::chrono::milliseconds kMaxStreamAge = 30min;  ///< --max-stream-age
inline constexpr std::chrono::milliseconds kHeartbeat = 30s;       ///< when a Subscribe sets none
inline constexpr std::chrono::milliseconds kConnectTimeout = 5s;   ///< --connect-timeout
inline constexpr std::chrono::milliseconds kReplyTimeout = 10s;    ///< --reply-timeout
inline constexpr std::chrono::milliseconds kReregisterInterval = 30s;  ///< --reregister-interval
inline constexpr std::chrono::milliseconds kSilenceThreshold = 10min;  ///< --silence-threshold
inline constexpr std::chrono::milliseconds kCallbackReadTimeout =
    crnp::kDefaultReadTimeout;  ///< --callback-read-timeout
inline constexpr std::chrono::milliseconds kCallbackFirstByteTimeout =
    crnp::kDefaultFirstByteTimeout;                          ///< --callback-first-byte-timeout
inline constexpr std::size_t kCallbackMaxConnections = 256;  ///< --callback-max-connections
inline constexpr std::size_t kCallbackMaxConnectionsPerPeer = 32;   ///< ...-per-peer
inline constexpr std::chrono::milliseconds kShutdownTimeout = 10s;  ///< --shutdown-timeout
inline constexpr bool kWatchClusterState = true;                    ///< --watch-cluster-state
inline constexpr std::string_view kMetricsListen = ":9090";         ///< --metrics-listen

// Options that are not sizes or times.
inline constexpr std::string_view kGrpcListen = "0.0.0.0:50051";     ///< --grpc-listen
inline constexpr std::string_view kCallbackListen = "0.0.0.0:9445";  ///< --callback-listen
inline constexpr std::string_view kDataDir = "crnp-gateway-data";    ///< --data-dir
inline constexpr std::string_view kEmbeddedScenario = "random";      ///< --embedded-scenario
inline constexpr double kEmbeddedEventRate = 1.0;                    ///< --embedded-event-rate
inline constexpr std::string_view kLogLevel = "info";                ///< --log-level
inline constexpr std::string_view kLogFormat = "text";               ///< --log-format

// The registration store (docs/etcd.md).
inline constexpr std::string_view kStore = "sqlite";                  ///< --store
inline constexpr std::string_view kEtcdEndpoints = "127.0.0.1:2379";  ///< --etcd-endpoints
inline constexpr std::string_view kEtcdPrefix = "/crnp-gateway";      ///< --etcd-prefix
inline constexpr std::chrono::milliseconds kEtcdDialTimeout = 5s;     ///< --etcd-dial-timeout
/// Deadline of each unary etcd call (not an option: etcd answers in milliseconds or is down).
inline constexpr std::chrono::milliseconds kEtcdRequestTimeout = 5s;
/// --leader-lease-ttl: with store etcd the replicas elect the one that registers with the
/// cluster by an etcd lease of this TTL. A leader killed outright is replaced after at most
/// this long (plus an election, milliseconds); shorter also means a leader cut off from etcd
/// for this long steps down.
inline constexpr std::chrono::milliseconds kLeaderLeaseTtl = 5s;

// The gRPC port: HTTP/2 limits and security (docs/security.md).
inline constexpr std::size_t kMaxStreamsPerConnection = 100;      ///< --max-streams-per-connection
inline constexpr std::size_t kMaxReceiveMessageBytes = 4u << 20;  ///< --max-receive-message-bytes
inline constexpr std::chrono::milliseconds kKeepaliveMinPingInterval =
    10s;                                                    ///< --keepalive-min-ping-interval
inline constexpr bool kKeepalivePermitWithoutCalls = true;  ///< --keepalive-permit-without-calls
inline constexpr std::chrono::milliseconds kSecurityReloadInterval =
    10s;  ///< --security-reload-interval (TLS files and the token file)
}  // namespace defaults

/// The event log's writer lets events gather this long before it commits them (group commit).
inline constexpr std::chrono::milliseconds kGroupCommitWindow{10};

/// File name of the registry inside --data-dir.
inline constexpr std::string_view kRegistryFileName = "registrations.db";
/// File name of the event log inside --data-dir (events kept for resume, the numbering).
inline constexpr std::string_view kEventLogFileName = "events.db";
/// Beside it: the last sequence number published, as a memory-mapped page (so that a restart
/// after kill -9 knows whether anything published was not saved).
inline constexpr std::string_view kEventLogWatermarkFileName = "events.published";
/// The event log reserves sequence numbers this far ahead of use (durably, off the ingesting
/// thread), and raises the reservation when half of it is used: a crash skips at most this
/// many numbers; a disk that fails for half as many events makes the hub change epoch.
inline constexpr std::uint64_t kEventLogReserveAhead = 1'000'000;
/// Published events waiting for the event log's writer at most; beyond it an event is not
/// persisted (counted; the log's coverage moves past it).
inline constexpr std::size_t kEventLogMaxQueued = 65'536;

/// Subscribe batching (SubscribeRequest.max_batch, opt-in): the largest max_batch a request may
/// ask for, and the bytes one batch message holds at most (a quarter of gRPC's default 4 MiB
/// receive limit of clients; a batch never splits an event, so one larger event goes alone).
inline constexpr std::size_t kMaxBatchEvents = 1024;
inline constexpr std::size_t kMaxBatchBytes = 1u << 20;

/// ErrorInfo.domain of every error the gateway returns.
inline constexpr std::string_view kErrorDomain = "crnp-gateway";

/// The upstream's background registrations (repairs, re-registration after failures, the
/// stored registrations at start while the cluster is unreachable): retried from 500 ms,
/// doubling up to 30 s, each delay shortened by up to 20% at random.
inline constexpr std::chrono::milliseconds kRegistrationRetryInitial{500};
inline constexpr std::chrono::milliseconds kRegistrationRetryMax{30'000};
inline constexpr double kRegistrationRetryJitter = 0.2;

struct RegistrationLimits {
  std::size_t maxIdLength = 128;             ///< ids are [A-Za-z0-9._-]{1,maxIdLength}
  std::size_t maxRegistrations = 1000;       ///< registrations stored at most
  std::size_t maxTypesPerRegistration = 64;  ///< after de-duplication
  std::size_t maxUnionTypes = 1000;          ///< distinct types in the one upstream registration
  std::size_t maxFieldBytes = 256;           ///< class, subclass, pair name, each pair value
  std::size_t maxPairsPerType = 16;          ///< narrowing NVPAIRs of one type
  std::size_t maxValuesPerPair = 64;         ///< VALUEs of one NVPAIR
  std::size_t maxPendingChanges = 256;       ///< queued Register/Unregister calls
};

/// RetryInfo.retry_delay suggested to clients, by kind of upstream failure.
struct RetryDelays {
  static constexpr std::chrono::milliseconds kServerBusy{1000};    ///< SC_REPLY RETRY
  static constexpr std::chrono::milliseconds kLowResource{10000};  ///< SC_REPLY LOW_RESOURCE
  static constexpr std::chrono::milliseconds kUnreachable{2000};   ///< refused, reset, DNS
  static constexpr std::chrono::milliseconds kTimeout{5000};       ///< connect/reply timeout
  static constexpr std::chrono::milliseconds kGatewayBusy{1000};   ///< too many pending changes
};

}  // namespace gateway
