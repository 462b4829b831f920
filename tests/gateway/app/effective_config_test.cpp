// Precedence flag > environment > file > default, and --print-config's listing.
#include "effective_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "temp_dir.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  ParsedOptions parsed;
  std::string out;
  std::string err;
};

class EffectiveConfigTest : public ::testing::Test {
 protected:
  std::string writeConfig(const std::string& text) {
    const std::string path = dir_.string() + "/gateway.yaml";
    std::ofstream(path) << text;
    return path;
  }

  Outcome run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "crnp-gateway");
    std::vector<const char*> argv;
    for (const auto& arg : args) argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    auto lookup = [env](const std::string& name) -> std::optional<std::string> {
      const auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    auto parsed = parseGatewayOptions(static_cast<int>(argv.size()), argv.data(), lookup, out, err);
    return {std::move(parsed), out.str(), err.str()};
  }

  crnp::testing::TempDir dir_;
};

// The same four options set by every source: each source's value wins over the ones below it.
TEST_F(EffectiveConfigTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  const auto file = writeConfig(
      "grpc-listen: 127.0.0.1:1001\n"
      "ring-events: 1002\n"
      "reply-timeout: 3s\n"
      "crnp-server: [file-a:1, file-b:2]\n"
      "max-stream-age: 7m\n");
  const std::map<std::string, std::string> env = {
      {"CRNP_GATEWAY_GRPC_LISTEN", "127.0.0.1:2001"},
      {"CRNP_GATEWAY_RING_EVENTS", "2002"},
      {"CRNP_GATEWAY_CRNP_SERVER", "env-a:1,env-b:2,env-c:3"},
  };

  const auto fileOnly = run({"--config", file});
  ASSERT_TRUE(fileOnly.parsed.options) << fileOnly.err;
  EXPECT_EQ(fileOnly.parsed.options->grpcListen, "127.0.0.1:1001");
  EXPECT_EQ(fileOnly.parsed.options->ringEvents, 1002u);
  EXPECT_EQ(fileOnly.parsed.options->crnpServers,
            (std::vector<std::string>{"file-a:1", "file-b:2"}));
  EXPECT_EQ(fileOnly.parsed.options->maxStreams, defaults::kMaxStreams);

  const auto withEnv = run({"--config", file}, env);
  ASSERT_TRUE(withEnv.parsed.options) << withEnv.err;
  EXPECT_EQ(withEnv.parsed.options->grpcListen, "127.0.0.1:2001");
  EXPECT_EQ(withEnv.parsed.options->ringEvents, 2002u);
  EXPECT_EQ(withEnv.parsed.options->replyTimeout, 3s) << "not in the environment: the file's";
  EXPECT_EQ(withEnv.parsed.options->crnpServers,
            (std::vector<std::string>{"env-a:1", "env-b:2", "env-c:3"}))
      << "a list from a higher source replaces the whole list";

  const auto withFlags = run({"--config", file, "--grpc-listen", "127.0.0.1:3001", "--crnp-server",
                              "flag-a:1", "--reply-timeout", "250ms"},
                             env);
  ASSERT_TRUE(withFlags.parsed.options) << withFlags.err;
  const auto& o = *withFlags.parsed.options;
  EXPECT_EQ(o.grpcListen, "127.0.0.1:3001");
  EXPECT_EQ(o.crnpServers, std::vector<std::string>{"flag-a:1"});
  EXPECT_EQ(o.replyTimeout, 250ms);
  EXPECT_EQ(o.ringEvents, 2002u) << "no flag: the environment's";
  EXPECT_EQ(o.maxStreamAge, 7min) << "only in the file";
  EXPECT_EQ(o.connectTimeout, defaults::kConnectTimeout) << "nowhere: the default";
}

TEST_F(EffectiveConfigTest, EmptyVariableCountsAsUnsetAndListItemsAreTrimmed) {
  const auto file = writeConfig("crnp-server: [file-a:1]\nring-events: 5\n");
  const auto result =
      run({"--config", file}, {{"CRNP_GATEWAY_CRNP_SERVER", ""}, {"CRNP_GATEWAY_RING_EVENTS", ""}});
  ASSERT_TRUE(result.parsed.options) << result.err;
  EXPECT_EQ(result.parsed.options->crnpServers, std::vector<std::string>{"file-a:1"});
  EXPECT_EQ(result.parsed.options->ringEvents, 5u);
  const auto spaced = run({"--crnp-server", "a:1, b:2"}, {});
  ASSERT_TRUE(spaced.parsed.options) << spaced.err;
  EXPECT_EQ(spaced.parsed.options->crnpServers, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST_F(EffectiveConfigTest, ConfigFileFromTheEnvironment) {
  const auto file = writeConfig("embedded-cluster: true\nring-events: 77\n");
  const auto result = run({}, {{"CRNP_GATEWAY_CONFIG", file}});
  ASSERT_TRUE(result.parsed.options) << result.err;
  EXPECT_TRUE(result.parsed.options->embeddedCluster);
  EXPECT_EQ(result.parsed.options->ringEvents, 77u);
  // The flag names another file, which wins over the variable.
  const std::string other = dir_.string() + "/other.yaml";
  std::ofstream(other) << "embedded-cluster: true\nring-events: 88\n";
  const auto flag = run({"--config", other}, {{"CRNP_GATEWAY_CONFIG", file}});
  ASSERT_TRUE(flag.parsed.options) << flag.err;
  EXPECT_EQ(flag.parsed.options->ringEvents, 88u);
}

TEST_F(EffectiveConfigTest, SwitchCanBeTurnedOffByAHigherSource) {
  const auto file = writeConfig("embedded-cluster: true\ncrnp-server: a:1\n");
  const auto off = run({"--config", file, "--embedded-cluster=false"});
  ASSERT_TRUE(off.parsed.options) << off.err;
  EXPECT_FALSE(off.parsed.options->embeddedCluster);
  const auto env = run({"--config", file}, {{"CRNP_GATEWAY_EMBEDDED_CLUSTER", "0"}});
  ASSERT_TRUE(env.parsed.options) << env.err;
  EXPECT_FALSE(env.parsed.options->embeddedCluster);
}

TEST_F(EffectiveConfigTest, ErrorsExitTwoAndSayWhere) {
  const auto unknown = run({"--config", writeConfig("embedded-cluster: true\nbogus: 1\n")});
  EXPECT_FALSE(unknown.parsed.options);
  EXPECT_EQ(unknown.parsed.exitCode, 2);
  EXPECT_NE(unknown.err.find("gateway.yaml, line 2: unknown key 'bogus'"), std::string::npos)
      << unknown.err;

  const auto bad = run({"--config", writeConfig("embedded-cluster: true\nlog-format: xml\n")});
  EXPECT_EQ(bad.parsed.exitCode, 2);
  EXPECT_NE(bad.err.find("gateway.yaml, line 2: log-format: 'xml' is not one of: text, json"),
            std::string::npos)
      << bad.err;

  const auto env = run({"--embedded-cluster"}, {{"CRNP_GATEWAY_MAX_STREAM_AGE", "forever"}});
  EXPECT_EQ(env.parsed.exitCode, 2);
  EXPECT_NE(env.err.find("environment variable CRNP_GATEWAY_MAX_STREAM_AGE: max-stream-age: "
                         "'forever' is not a duration"),
            std::string::npos)
      << env.err;

  const auto missing = run({"--config", dir_.string() + "/missing.yaml", "--embedded-cluster"});
  EXPECT_EQ(missing.parsed.exitCode, 2);
  EXPECT_NE(missing.err.find("missing.yaml"), std::string::npos) << missing.err;

  // A bad flag is still reported even when the file would be fine.
  const auto flag =
      run({"--config", writeConfig("embedded-cluster: true\n"), "--ring-events", "x"});
  EXPECT_EQ(flag.parsed.exitCode, 2);
  EXPECT_NE(flag.err.find("flag --ring-events: ring-events: 'x' is not a whole number"),
            std::string::npos)
      << flag.err;
}

TEST_F(EffectiveConfigTest, ServerOrEmbeddedClusterMayComeFromAnySource) {
  EXPECT_EQ(run({}).parsed.exitCode, 2);
  EXPECT_TRUE(run({}, {{"CRNP_GATEWAY_CRNP_SERVER", "a:1"}}).parsed.options);
  EXPECT_TRUE(run({"--config", writeConfig("crnp-server: [a:1]\n")}).parsed.options);
}

TEST_F(EffectiveConfigTest, PrintConfigListsEveryOptionWithItsSource) {
  const auto file = writeConfig(
      "grpc-listen: 127.0.0.1:1001\n"
      "crnp-server: [file-a:1, file-b:2]\n"
      "ring-events: 1002\n");
  const auto result = run({"--config", file, "--print-config", "--reply-timeout", "250ms"},
                          {{"CRNP_GATEWAY_RING_EVENTS", "2002"}});
  EXPECT_FALSE(result.parsed.options);
  EXPECT_EQ(result.parsed.exitCode, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("(config file: " + file + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("\ngrpc-listen: \"127.0.0.1:1001\"  # file:1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\ncrnp-server: [\"file-a:1\", \"file-b:2\"]  # file:2\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\nring-events: 2002  # env:CRNP_GATEWAY_RING_EVENTS\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\nreply-timeout: \"250ms\"  # flag\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nmax-stream-age: \"30m\"  # default\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nlog-format: \"text\"  # default\n"), std::string::npos) << out;
  for (const auto& spec : gatewayOptionTable()) {
    EXPECT_NE(out.find("\n" + spec.name + ": "), std::string::npos) << spec.name;
  }
}

// The listing is a config file: read back, it gives the same options.
TEST_F(EffectiveConfigTest, PrintConfigOutputReadsBackAsTheSameConfiguration) {
  const auto first = run({"--print-config", "--embedded-cluster", "--crnp-server", "a:1,b:2",
                          "--callback-allow", "10.0.0.0/8", "--max-stream-age", "90s",
                          "--embedded-event-rate", "2.5", "--log-format", "json"});
  ASSERT_EQ(first.parsed.exitCode, 0) << first.err;
  const auto again = run({"--config", writeConfig(first.out)});
  ASSERT_TRUE(again.parsed.options) << again.err << "\n" << first.out;
  const auto direct =
      run({"--embedded-cluster", "--crnp-server", "a:1,b:2", "--callback-allow", "10.0.0.0/8",
           "--max-stream-age", "90s", "--embedded-event-rate", "2.5", "--log-format", "json"});
  ASSERT_TRUE(direct.parsed.options);
  for (const auto& spec : gatewayOptionTable()) {
    EXPECT_EQ(spec.show(*again.parsed.options), spec.show(*direct.parsed.options)) << spec.name;
  }
}

TEST(EffectiveConfig, SecretValuesAreNotPrinted) {
  // A table of one secret option (the gateway has none yet; token options will be).
  OptionTable table{gatewayOptionTable().at(0)};
  table[0].secret = true;
  ResolveResult set = resolveConfig(
      table, std::vector<RawSetting>{
                 {table[0].name, {"s3cret:1"}, {ValueSource::Kind::Flag, "--grpc-listen", 0}}});
  ASSERT_TRUE(set.config) << set.error;
  const std::string out = formatEffectiveConfig(table, *set.config);
  EXPECT_EQ(out.find("s3cret"), std::string::npos) << out;
  EXPECT_NE(out.find(table[0].name + ": \"(hidden)\"  # flag"), std::string::npos) << out;
}

}  // namespace
}  // namespace gateway
