#include "gateway_options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <vector>

#include "upstream_config.hpp"

using namespace std::chrono_literals;

namespace {

gateway::ParsedOptions parse(std::vector<const char*> args) {
  args.insert(args.begin(), "crnp-gateway");
  return gateway::parseGatewayOptions(static_cast<int>(args.size()), args.data());
}

TEST(GatewayOptions, DefaultsWithEmbeddedCluster) {
  auto parsed = parse({"--embedded-cluster"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->grpcListen, "0.0.0.0:50051");
  EXPECT_EQ(parsed.options->callbackListen, "0.0.0.0:9445");
  EXPECT_TRUE(parsed.options->embeddedCluster);
}

TEST(GatewayOptions, RepeatableServersAndDurations) {
  auto parsed = parse({"--crnp-server", "a:9444", "--crnp-server", "b:1", "--reply-timeout",
                       "250ms", "--max-stream-age", "0"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->crnpServers, (std::vector<std::string>{"a:9444", "b:1"}));
  EXPECT_EQ(parsed.options->replyTimeout, 250ms);
  EXPECT_EQ(parsed.options->maxStreamAge, 0ms);
}

TEST(GatewayOptions, ReregisterIntervalIsThirtySecondsByDefaultAndConfigurable) {
  auto defaults = parse({"--embedded-cluster"});
  ASSERT_TRUE(defaults.options);
  EXPECT_EQ(defaults.options->reregisterInterval, 30s);
  EXPECT_EQ(defaults.options->reregisterInterval, gateway::UpstreamConfig{}.reregisterInterval)
      << "the flag's default and the upstream's agree";
  auto set = parse({"--embedded-cluster", "--reregister-interval", "45s"});
  ASSERT_TRUE(set.options);
  EXPECT_EQ(set.options->reregisterInterval, 45s);
}

TEST(GatewayOptions, CallbackPortLimitsAgreeWithTheUpstreamAndAreConfigurable) {
  auto defaults = parse({"--embedded-cluster"});
  ASSERT_TRUE(defaults.options);
  const gateway::UpstreamConfig upstream;
  EXPECT_EQ(defaults.options->callbackMaxConnections, upstream.callbackMaxConnections);
  EXPECT_EQ(defaults.options->callbackMaxConnectionsPerPeer,
            upstream.callbackMaxConnectionsPerPeer);
  EXPECT_EQ(defaults.options->callbackFirstByteTimeout, upstream.callbackFirstByteTimeout);
  EXPECT_EQ(defaults.options->callbackFirstByteTimeout, 1s);
  auto set =
      parse({"--embedded-cluster", "--callback-max-connections", "64",
             "--callback-max-connections-per-peer", "4", "--callback-first-byte-timeout", "250ms"});
  ASSERT_TRUE(set.options);
  EXPECT_EQ(set.options->callbackMaxConnections, 64u);
  EXPECT_EQ(set.options->callbackMaxConnectionsPerPeer, 4u);
  EXPECT_EQ(set.options->callbackFirstByteTimeout, 250ms);
  // Fewer than 4 would leave the servers no reserved slot.
  EXPECT_EQ(parse({"--embedded-cluster", "--callback-max-connections", "3"}).exitCode, 2);
}

TEST(GatewayOptions, EnvironmentTwin) {
  ::setenv("CRNP_GATEWAY_GRPC_LISTEN", "127.0.0.1:7", 1);
  ::setenv("CRNP_GATEWAY_RING_EVENTS", "42", 1);
  auto parsed = parse({"--embedded-cluster"});
  ::unsetenv("CRNP_GATEWAY_GRPC_LISTEN");
  ::unsetenv("CRNP_GATEWAY_RING_EVENTS");
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->grpcListen, "127.0.0.1:7");
  EXPECT_EQ(parsed.options->ringEvents, 42u);
}

TEST(GatewayOptions, BadValuesExitWithTwo) {
  EXPECT_EQ(parse({"--embedded-cluster", "--reply-timeout", "soon"}).exitCode, 2);
  EXPECT_EQ(parse({"--crnp-server", "host:notaport"}).exitCode, 2);
  EXPECT_EQ(parse({"--embedded-cluster", "--ring-events", "0"}).exitCode, 2);
  EXPECT_EQ(parse({}).exitCode, 2);  // neither a server nor the embedded cluster
  EXPECT_FALSE(parse({"--no-such-flag"}).options);
}

TEST(GatewayOptions, HelpExitsZero) {
  auto parsed = parse({"--help"});
  EXPECT_FALSE(parsed.options);
  EXPECT_EQ(parsed.exitCode, 0);
}

TEST(GatewayOptions, SecurityFlagsAndTheirEnvironmentTwins) {
  auto parsed = parse({"--embedded-cluster",
                       "--tls-cert",
                       "c.pem",
                       "--tls-key",
                       "k.pem",
                       "--tls-client-ca",
                       "ca.pem",
                       "--auth-tokens",
                       "tokens",
                       "--auth-reflection",
                       "--security-reload-interval",
                       "2s",
                       "--max-streams-per-connection",
                       "8",
                       "--max-receive-message-bytes",
                       "65536",
                       "--keepalive-min-ping-interval",
                       "30s",
                       "--keepalive-permit-without-calls",
                       "false"});
  ASSERT_TRUE(parsed.options);
  const auto& o = *parsed.options;
  EXPECT_EQ(o.tlsCert, "c.pem");
  EXPECT_EQ(o.tlsKey, "k.pem");
  EXPECT_EQ(o.tlsClientCa, "ca.pem");
  EXPECT_EQ(o.authTokens, "tokens");
  EXPECT_TRUE(o.authReflection);
  EXPECT_EQ(o.securityReloadInterval, 2s);
  EXPECT_EQ(o.maxStreamsPerConnection, 8u);
  EXPECT_EQ(o.maxReceiveMessageBytes, 65536u);
  EXPECT_EQ(o.keepaliveMinPingInterval, 30s);
  EXPECT_FALSE(o.keepalivePermitWithoutCalls);

  ::setenv("CRNP_GATEWAY_AUTH_TOKENS", "from-env", 1);
  ::setenv("CRNP_GATEWAY_MAX_STREAMS_PER_CONNECTION", "16", 1);
  auto fromEnv = parse({"--embedded-cluster"});
  ::unsetenv("CRNP_GATEWAY_AUTH_TOKENS");
  ::unsetenv("CRNP_GATEWAY_MAX_STREAMS_PER_CONNECTION");
  ASSERT_TRUE(fromEnv.options);
  EXPECT_EQ(fromEnv.options->authTokens, "from-env");
  EXPECT_EQ(fromEnv.options->maxStreamsPerConnection, 16u);
}

TEST(GatewayOptions, SecurityDefaultsArePlaintextWithoutTokens) {
  auto parsed = parse({"--embedded-cluster"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->tlsCert.empty());
  EXPECT_TRUE(parsed.options->authTokens.empty());
  EXPECT_FALSE(parsed.options->authReflection);
  EXPECT_EQ(parsed.options->maxStreamsPerConnection, gateway::defaults::kMaxStreamsPerConnection);
  EXPECT_EQ(parsed.options->maxReceiveMessageBytes, gateway::defaults::kMaxReceiveMessageBytes);
  EXPECT_TRUE(parsed.options->keepalivePermitWithoutCalls);
}

TEST(GatewayOptions, SecurityFlagsThatOnlyWorkTogetherAreUsageErrors) {
  const std::vector<std::vector<const char*>> bad = {
      {"--embedded-cluster", "--tls-cert", "c.pem"},
      {"--embedded-cluster", "--tls-key", "k.pem"},
      {"--embedded-cluster", "--tls-client-ca", "ca.pem"},
      {"--embedded-cluster", "--auth-reflection"},
      {"--embedded-cluster", "--auth-tokens", "t", "--auth-reflection"},  // needs TLS too
      {"--embedded-cluster", "--security-reload-interval", "500ms"},
      {"--embedded-cluster", "--max-streams-per-connection", "0"},
      {"--embedded-cluster", "--max-receive-message-bytes", "10"},
  };
  for (const auto& args : bad) {
    const auto parsed = parse(args);
    EXPECT_FALSE(parsed.options) << args[1];
    EXPECT_EQ(parsed.exitCode, 2) << args[1];
  }
}

}  // namespace
