#include "option_table.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "crnp/duration.hpp"
#include "option_values.hpp"

namespace gateway {
namespace {

template <class T>
using Member = T GatewayOptions::*;
using Values = std::vector<std::string>;
using Error = std::optional<std::string>;

/// Stores a parsed value in `member`, or returns the parser's message.
template <class T, class U>
Error store(GatewayOptions& options, Member<T> member, Parsed<U> parsed) {
  if (auto* error = std::get_if<ParseError>(&parsed)) return error->message;
  options.*member = static_cast<T>(std::get<U>(parsed));
  return std::nullopt;
}

OptionSpec text(std::string name, Member<std::string> member, std::string typeName,
                std::string help) {
  return {std::move(name),
          std::move(typeName),
          std::move(help),
          OptionArity::One,
          false,
          [member](GatewayOptions& o, const Values& v) -> Error {
            o.*member = v.at(0);
            return std::nullopt;
          },
          [member](const GatewayOptions& o) { return Values{o.*member}; }};
}

template <std::size_t N>
OptionSpec choice(std::string name, Member<std::string> member,
                  const std::array<std::string_view, N>& allowed, std::string help) {
  std::string typeName;
  for (const auto word : allowed) typeName += (typeName.empty() ? "" : "|") + std::string(word);
  return {std::move(name),
          std::move(typeName),
          std::move(help),
          OptionArity::One,
          false,
          [member, allowed](GatewayOptions& o, const Values& v) {
            return store(o, member, parseChoice(v.at(0), allowed));
          },
          [member](const GatewayOptions& o) { return Values{o.*member}; }};
}

template <class T>
OptionSpec whole(std::string name, Member<T> member, std::uint64_t min, std::uint64_t max,
                 std::string help, std::string typeName = "COUNT") {
  return {std::move(name),
          std::move(typeName),
          std::move(help),
          OptionArity::One,
          false,
          [member, min, max](GatewayOptions& o, const Values& v) {
            return store(o, member, parseUnsigned(v.at(0), min, max));
          },
          [member](const GatewayOptions& o) { return Values{std::to_string(o.*member)}; }};
}

OptionSpec positive(std::string name, Member<double> member, std::string help) {
  return {std::move(name),
          "NUMBER",
          std::move(help),
          OptionArity::One,
          false,
          [member](GatewayOptions& o, const Values& v) {
            return store(o, member, parsePositiveNumber(v.at(0)));
          },
          [member](const GatewayOptions& o) { return Values{fmt::format("{}", o.*member)}; }};
}

OptionSpec duration(std::string name, Member<std::chrono::milliseconds> member, std::string help) {
  return {std::move(name),
          "DURATION",
          std::move(help),
          OptionArity::One,
          false,
          [member](GatewayOptions& o, const Values& v) {
            return store(o, member, parseDurationValue(v.at(0)));
          },
          [member](const GatewayOptions& o) { return Values{crnp::formatDuration(o.*member)}; }};
}

OptionSpec toggle(std::string name, Member<bool> member, std::string help) {
  return {std::move(name),
          "BOOL",
          std::move(help),
          OptionArity::Switch,
          false,
          [member](GatewayOptions& o, const Values& v) {
            return store(o, member, parseSwitch(v.at(0)));
          },
          [member](const GatewayOptions& o) { return Values{o.*member ? "true" : "false"}; }};
}

/// A true/false value that defaults to true (a switch could not be turned off as plainly).
OptionSpec boolean(std::string name, Member<bool> member, std::string help) {
  return {std::move(name),
          "BOOL",
          std::move(help),
          OptionArity::One,
          false,
          [member](GatewayOptions& o, const Values& v) {
            return store(o, member, parseSwitch(v.at(0)));
          },
          [member](const GatewayOptions& o) { return Values{o.*member ? "true" : "false"}; }};
}

OptionSpec servers(std::string name, Member<std::vector<std::string>> member, std::string help) {
  return {std::move(name),
          "HOST:PORT",
          std::move(help),
          OptionArity::List,
          false,
          [member](GatewayOptions& o, const Values& v) -> Error {
            Values checked;
            for (const auto& item : v) {
              auto parsed = parseServerAddress(item);
              if (auto* error = std::get_if<ParseError>(&parsed)) return error->message;
              checked.push_back(std::get<std::string>(parsed));
            }
            o.*member = std::move(checked);
            return std::nullopt;
          },
          [member](const GatewayOptions& o) { return o.*member; }};
}

constexpr std::size_t kMaxCount = 100'000'000;

OptionTable buildTable() {
  using G = GatewayOptions;
  constexpr std::array<std::string_view, 3> kScenarios{"none", "random", "flood"};
  constexpr std::array<std::string_view, 5> kLevels{"trace", "debug", "info", "warn", "error"};
  constexpr std::array<std::string_view, 2> kFormats{"text", "json"};
  constexpr std::array<std::string_view, 2> kStores{"sqlite", "etcd"};
  return {
      text("grpc-listen", &G::grpcListen, "HOST:PORT", "gRPC listen address"),
      servers("crnp-server", &G::crnpServers,
              "CRNP server (cl_apid, port 9444); repeat for failover, in order"),
      text("callback-listen", &G::callbackListen, "HOST:PORT",
           "where the CRNP server delivers events"),
      text("callback-allow", &G::callbackAllow, "CIDR,...",
           "who may deliver events: CIDR list (empty: the CRNP servers' addresses)"),
      text("registration-source", &G::registrationSource, "IP",
           "source IP for registrations; the server calls back this IP (empty: any)"),
      text("data-dir", &G::dataDir, "DIR",
           "directory of the durable registration store and event log"),
      // The registration store (docs/etcd.md); checked together after parsing
      // (checkStoreOptions).
      choice("store", &G::store, kStores,
             "where registrations live: sqlite (under data-dir, one replica) or etcd (shared "
             "by replicas)"),
      text("etcd-endpoints", &G::etcdEndpoints, "HOST:PORT,...", "etcd members (store etcd)"),
      text("etcd-prefix", &G::etcdPrefix, "KEY", "etcd key prefix of everything stored"),
      text("etcd-ca", &G::etcdCa, "FILE", "PEM CA verifying the etcd members (TLS)"),
      text("etcd-cert", &G::etcdCert, "FILE", "PEM client certificate for etcd (mTLS)"),
      text("etcd-key", &G::etcdKey, "FILE", "PEM private key of etcd-cert"),
      text("etcd-username", &G::etcdUsername, "NAME", "etcd user (etcd authentication)"),
      text("etcd-password-file", &G::etcdPasswordFile, "FILE",
           "file holding the etcd user's password (needs etcd-username)"),
      duration("etcd-dial-timeout", &G::etcdDialTimeout,
               "start-up waits this long for an etcd member to answer"),
      text("replica-name", &G::replicaName, "NAME",
           "store etcd: this replica's name in the leader election, unique in the deployment "
           "(empty: the host name)"),
      duration("leader-lease-ttl", &G::leaderLeaseTtl,
               "store etcd: TTL of the leader's etcd lease (whole seconds); a dead leader is "
               "replaced within it"),
      toggle("embedded-cluster", &G::embeddedCluster,
             "run a simulated CRNP cluster in-process on loopback and follow it"),
      choice("embedded-scenario", &G::embeddedScenario, kScenarios, "embedded cluster scenario"),
      positive("embedded-event-rate", &G::embeddedEventRate,
               "embedded cluster: events per second of the random scenario"),
      whole("embedded-seed", &G::embeddedSeed, 0, UINT64_MAX,
            "embedded cluster: random seed (0: random)", "NUMBER"),
      whole("ring-events", &G::ringEvents, 1, kMaxCount, "events kept for resume (count)"),
      whole("ring-bytes", &G::ringBytes, 1024, std::uint64_t{1} << 36,
            "events kept for resume (bytes)", "BYTES"),
      whole("stream-queue-events", &G::streamQueueEvents, 1, 10'000'000,
            "per-stream queue (count); a stream over it ends with SUBSCRIBER_TOO_SLOW"),
      whole("stream-queue-bytes", &G::streamQueueBytes, 1024, std::uint64_t{1} << 34,
            "per-stream queue (bytes)", "BYTES"),
      whole("max-streams", &G::maxStreams, 0, 10'000'000,
            "concurrent Subscribe streams; more get RESOURCE_EXHAUSTED (0: no limit)"),
      duration("max-stream-age", &G::maxStreamAge,
               "streams end with going_away after this age, +-10% jitter; 0: never"),
      duration("connect-timeout", &G::connectTimeout, "connecting to the CRNP server"),
      duration("reply-timeout", &G::replyTimeout, "waiting for SC_REPLY"),
      duration("reregister-interval", &G::reregisterInterval,
               "full re-registration on a schedule (servers drop clients silently and forget "
               "them on a restart); 0: never"),
      duration("silence-threshold", &G::silenceThreshold,
               "re-register after this long without events"),
      duration("callback-read-timeout", &G::callbackReadTimeout, "reading one event connection"),
      duration("callback-first-byte-timeout", &G::callbackFirstByteTimeout,
               "an event connection that sends nothing for this long is closed"),
      whole("callback-max-connections", &G::callbackMaxConnections, 4, 100'000,
            "open event connections; at the limit the gateway stops accepting (the kernel's "
            "backlog holds the next one); a quarter is kept for the CRNP servers"),
      whole("callback-max-connections-per-peer", &G::callbackMaxConnectionsPerPeer, 1, 100'000,
            "open event connections of one allowed address that is not a CRNP server's; over "
            "it they are closed unread"),
      duration("shutdown-timeout", &G::shutdownTimeout,
               "SIGTERM: streams get going_away, then the server stops within this time"),
      // The gRPC port's security and limits (docs/security.md); checked together after
      // parsing (checkSecurityOptions).
      text("tls-cert", &G::tlsCert, "FILE",
           "serve gRPC over TLS with this PEM certificate chain (reloaded when it changes)"),
      text("tls-key", &G::tlsKey, "FILE", "PEM private key of tls-cert (reloaded with it)"),
      text("tls-client-ca", &G::tlsClientCa, "FILE",
           "require client certificates signed by this PEM CA (mTLS; needs tls-cert)"),
      text("auth-tokens", &G::authTokens, "FILE",
           "bearer token file, '<token> <name> <read|write>' per line (reloaded when it "
           "changes); without it no token is needed"),
      toggle("auth-reflection", &G::authReflection,
             "server reflection needs a read token too (needs auth-tokens and tls-cert); "
             "health stays open"),
      duration("security-reload-interval", &G::securityReloadInterval,
               "how often the TLS files and the token file are checked for changes (1s to 1h)"),
      whole("max-streams-per-connection", &G::maxStreamsPerConnection, 1, 100'000,
            "concurrent calls on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS)"),
      whole("max-receive-message-bytes", &G::maxReceiveMessageBytes, 1024, std::size_t{1} << 30,
            "largest request message accepted; larger ones get RESOURCE_EXHAUSTED", "BYTES"),
      duration("keepalive-min-ping-interval", &G::keepaliveMinPingInterval,
               "clients pinging more often than this are sent GOAWAY (too_many_pings)"),
      boolean("keepalive-permit-without-calls", &G::keepalivePermitWithoutCalls,
              "allow keepalive pings on connections without calls (true/false)"),
      boolean("watch-cluster-state", &G::watchClusterState,
              "register the cluster's events (class EC_Cluster) for the gateway itself "
              "(cluster-state metrics, GetClusterState), with or without clients"),
      text("metrics-listen", &G::metricsListen, "HOST:PORT",
           "Prometheus metrics at http://HOST:PORT/metrics (:PORT = every address; off = "
           "none)"),
      choice("log-level", &G::logLevel, kLevels, "least severe level logged"),
      choice("log-format", &G::logFormat, kFormats,
             "text lines, or JSON lines (time, level, component, msg, fields)"),
  };
}

}  // namespace

std::string OptionSpec::envName() const {
  std::string env = "CRNP_GATEWAY_";
  for (const char c : name) {
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

const OptionTable& gatewayOptionTable() {
  static const OptionTable table = buildTable();
  return table;
}

const OptionSpec* findOption(const OptionTable& table, std::string_view name) {
  const auto it = std::find_if(table.begin(), table.end(),
                               [name](const OptionSpec& spec) { return spec.name == name; });
  return it == table.end() ? nullptr : &*it;
}

std::string showJoined(const OptionSpec& spec, const GatewayOptions& options) {
  std::string out;
  for (const auto& value : spec.show(options)) out += (out.empty() ? "" : ", ") + value;
  return out;
}

}  // namespace gateway
