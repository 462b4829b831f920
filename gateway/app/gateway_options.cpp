#include "gateway_options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "crnp/duration.hpp"
#include "crnp/registration_client.hpp"

namespace gateway {
namespace {

// A duration flag: "250ms", "2s", "5m" or seconds; stored in milliseconds.
CLI::Option* addDuration(CLI::App& app, const std::string& name, std::chrono::milliseconds& out,
                         const std::string& env, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [&out, name](const std::string& text) {
            auto parsed = crnp::parseDuration(text);
            if (!parsed) {
              throw CLI::ValidationError(name,
                                         "'" + text + "' is not a duration (e.g. 250ms, 2s, 5m)");
            }
            out = *parsed;
          },
          help + " (default " + crnp::formatDuration(out) + ")")
      ->envname(env)
      ->type_name("DURATION");
}

// Flags of the gRPC port's security that only make sense together.
std::optional<std::string> checkSecurityOptions(const GatewayOptions& o) {
  if (o.tlsCert.empty() != o.tlsKey.empty()) return "--tls-cert and --tls-key go together";
  if (!o.tlsClientCa.empty() && o.tlsCert.empty()) return "--tls-client-ca needs --tls-cert";
  if (o.authReflection && (o.authTokens.empty() || o.tlsCert.empty())) {
    // Reflection is gRPC's own service: the gateway can only check its calls in the TLS layer.
    return "--auth-reflection needs --auth-tokens and --tls-cert";
  }
  using namespace std::chrono_literals;
  if (o.securityReloadInterval < 1s || o.securityReloadInterval > 1h) {
    return "--security-reload-interval must be between 1s and 1h";
  }
  return std::nullopt;
}

}  // namespace

ParsedOptions parseGatewayOptions(int argc, const char* const* argv) {
  GatewayOptions o;
  CLI::App app{
      "crnp-gateway: follow a Solaris Cluster's reconfiguration events (CRNP) over gRPC.\n"
      "Every flag can also be set by the environment variable shown."};
  app.option_defaults()->always_capture_default();

  app.add_option("--grpc-listen", o.grpcListen, "gRPC listen address host:port")
      ->envname("CRNP_GATEWAY_GRPC_LISTEN");
  app.add_option("--crnp-server", o.crnpServers,
                 "CRNP server host:port (cl_apid, port 9444); repeat for failover, in order")
      ->envname("CRNP_GATEWAY_CRNP_SERVER")
      ->delimiter(',')
      ->check([](const std::string& text) -> std::string {
        return crnp::ServerAddress::parse(text) ? "" : "'" + text + "' is not host:port";
      });
  app.add_option("--callback-listen", o.callbackListen,
                 "where the CRNP server delivers events (host:port)")
      ->envname("CRNP_GATEWAY_CALLBACK_LISTEN");
  app.add_option("--callback-allow", o.callbackAllow,
                 "who may deliver events: CIDR list (default: the CRNP servers' addresses)")
      ->envname("CRNP_GATEWAY_CALLBACK_ALLOW");
  app.add_option("--registration-source", o.registrationSource,
                 "source IP for registrations; the server calls back this IP (default: any)")
      ->envname("CRNP_GATEWAY_REGISTRATION_SOURCE");
  app.add_option("--data-dir", o.dataDir, "directory of the durable registration store")
      ->envname("CRNP_GATEWAY_DATA_DIR");
  app.add_flag("--embedded-cluster", o.embeddedCluster,
               "run a simulated CRNP cluster in-process on loopback and follow it")
      ->envname("CRNP_GATEWAY_EMBEDDED_CLUSTER");
  app.add_option("--embedded-scenario", o.embeddedScenario,
                 "embedded cluster scenario: none, random or flood")
      ->envname("CRNP_GATEWAY_EMBEDDED_SCENARIO")
      ->check(CLI::IsMember({"none", "random", "flood"}));
  app.add_option("--embedded-event-rate", o.embeddedEventRate,
                 "embedded cluster: events per second of the random scenario")
      ->envname("CRNP_GATEWAY_EMBEDDED_EVENT_RATE")
      ->check(CLI::PositiveNumber);
  app.add_option("--embedded-seed", o.embeddedSeed, "embedded cluster: random seed (0: random)")
      ->envname("CRNP_GATEWAY_EMBEDDED_SEED");

  app.add_option("--ring-events", o.ringEvents, "events kept for resume (count)")
      ->envname("CRNP_GATEWAY_RING_EVENTS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  app.add_option("--ring-bytes", o.ringBytes, "events kept for resume (bytes)")
      ->envname("CRNP_GATEWAY_RING_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 36));
  app.add_option("--stream-queue-events", o.streamQueueEvents,
                 "per-stream queue (count); a stream over it ends with SUBSCRIBER_TOO_SLOW")
      ->envname("CRNP_GATEWAY_STREAM_QUEUE_EVENTS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--stream-queue-bytes", o.streamQueueBytes, "per-stream queue (bytes)")
      ->envname("CRNP_GATEWAY_STREAM_QUEUE_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34));
  app.add_option("--max-streams", o.maxStreams,
                 "concurrent Subscribe streams; more get RESOURCE_EXHAUSTED (0 = no limit)")
      ->envname("CRNP_GATEWAY_MAX_STREAMS")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000'000}));
  addDuration(app, "--max-stream-age", o.maxStreamAge, "CRNP_GATEWAY_MAX_STREAM_AGE",
              "streams end with going_away after this age, +-10% jitter; 0 = never");
  addDuration(app, "--connect-timeout", o.connectTimeout, "CRNP_GATEWAY_CONNECT_TIMEOUT",
              "connecting to the CRNP server");
  addDuration(app, "--reply-timeout", o.replyTimeout, "CRNP_GATEWAY_REPLY_TIMEOUT",
              "waiting for SC_REPLY");
  addDuration(app, "--reregister-interval", o.reregisterInterval,
              "CRNP_GATEWAY_REREGISTER_INTERVAL",
              "full re-registration on a schedule (servers drop clients silently and forget "
              "them on a restart); 0 = never");
  addDuration(app, "--silence-threshold", o.silenceThreshold, "CRNP_GATEWAY_SILENCE_THRESHOLD",
              "re-register after this long without events");
  addDuration(app, "--callback-read-timeout", o.callbackReadTimeout,
              "CRNP_GATEWAY_CALLBACK_READ_TIMEOUT", "reading one event connection");
  addDuration(app, "--callback-first-byte-timeout", o.callbackFirstByteTimeout,
              "CRNP_GATEWAY_CALLBACK_FIRST_BYTE_TIMEOUT",
              "an event connection that sends nothing for this long is closed");
  app.add_option("--callback-max-connections", o.callbackMaxConnections,
                 "open event connections; at the limit the gateway stops accepting (the "
                 "kernel's backlog holds the next one); a quarter is kept for the CRNP servers")
      ->envname("CRNP_GATEWAY_CALLBACK_MAX_CONNECTIONS")
      ->check(CLI::Range(std::size_t{4}, std::size_t{100'000}));
  app.add_option("--callback-max-connections-per-peer", o.callbackMaxConnectionsPerPeer,
                 "open event connections of one allowed address that is not a CRNP server's; "
                 "over it they are closed unread")
      ->envname("CRNP_GATEWAY_CALLBACK_MAX_CONNECTIONS_PER_PEER")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  addDuration(app, "--shutdown-timeout", o.shutdownTimeout, "CRNP_GATEWAY_SHUTDOWN_TIMEOUT",
              "SIGTERM: streams get going_away, then the server stops within this time");
  app.add_option("--log-level", o.logLevel, "trace, debug, info, warn, error")
      ->envname("CRNP_GATEWAY_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  // The gRPC port's security and limits (docs/security.md); checked together after parsing.
  app.add_option("--tls-cert", o.tlsCert,
                 "serve gRPC over TLS with this PEM certificate chain (reloaded when it changes)")
      ->envname("CRNP_GATEWAY_TLS_CERT");
  app.add_option("--tls-key", o.tlsKey, "PEM private key of --tls-cert (reloaded with it)")
      ->envname("CRNP_GATEWAY_TLS_KEY");
  app.add_option("--tls-client-ca", o.tlsClientCa,
                 "require client certificates signed by this PEM CA (mTLS; needs --tls-cert)")
      ->envname("CRNP_GATEWAY_TLS_CLIENT_CA");
  app.add_option("--auth-tokens", o.authTokens,
                 "bearer token file, '<token> <name> <read|write>' per line (reloaded when it "
                 "changes); without it no token is needed")
      ->envname("CRNP_GATEWAY_AUTH_TOKENS");
  app.add_flag("--auth-reflection", o.authReflection,
               "server reflection needs a read token too (needs --auth-tokens and --tls-cert); "
               "health stays open")
      ->envname("CRNP_GATEWAY_AUTH_REFLECTION");
  addDuration(app, "--security-reload-interval", o.securityReloadInterval,
              "CRNP_GATEWAY_SECURITY_RELOAD_INTERVAL",
              "how often the TLS files and the token file are checked for changes (1s to 1h)");
  app.add_option("--max-streams-per-connection", o.maxStreamsPerConnection,
                 "concurrent calls on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS)")
      ->envname("CRNP_GATEWAY_MAX_STREAMS_PER_CONNECTION")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--max-receive-message-bytes", o.maxReceiveMessageBytes,
                 "largest request message accepted; larger ones get RESOURCE_EXHAUSTED")
      ->envname("CRNP_GATEWAY_MAX_RECEIVE_MESSAGE_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  addDuration(app, "--keepalive-min-ping-interval", o.keepaliveMinPingInterval,
              "CRNP_GATEWAY_KEEPALIVE_MIN_PING_INTERVAL",
              "clients pinging more often than this are sent GOAWAY (too_many_pings)");
  app.add_option("--keepalive-permit-without-calls", o.keepalivePermitWithoutCalls,
                 "allow keepalive pings on connections without calls (true/false)")
      ->envname("CRNP_GATEWAY_KEEPALIVE_PERMIT_WITHOUT_CALLS");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = app.exit(e);              // prints help, or the error naming the flag
    return {std::nullopt, printed == 0 ? 0 : 2};  // one exit code for every usage error
  }
  if (!o.embeddedCluster && o.crnpServers.empty()) {
    std::cerr << "crnp-gateway: give --crnp-server host:port (the cluster's cl_apid) or "
                 "--embedded-cluster\n";
    return {std::nullopt, 2};
  }
  if (auto error = checkSecurityOptions(o)) {
    std::cerr << "crnp-gateway: " << *error << "\n";
    return {std::nullopt, 2};
  }
  return {std::move(o), 0};
}

}  // namespace gateway
