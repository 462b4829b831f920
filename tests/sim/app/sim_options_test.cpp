// The crnp-sim command line without a process: defaults, conversions, env twins, refusals.
#include "crnp/sim/sim_options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "crnp/endpoint.hpp"

namespace crnp::sim {
namespace {

using namespace std::chrono_literals;

ParsedOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "crnp-sim");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return parseSimOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(SimOptionsTest, DefaultsMatchTheDocumentedOnes) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.options) << parsed.output;
  const auto& options = *parsed.options;
  EXPECT_EQ(crnp::toString(options.simulator.server.listen), "0.0.0.0:9444");
  EXPECT_EQ(options.simulator.server.allowHosts, "LOCAL");
  EXPECT_EQ(options.simulator.server.denyHosts, "");
  EXPECT_EQ(options.simulator.server.maxClients, 1000u);
  EXPECT_EQ(options.simulator.server.clientTimeout, 60s);
  EXPECT_EQ(options.simulator.server.clientRetryCount, 3u);
  EXPECT_EQ(options.simulator.server.clientRetryInterval, 1800s);
  EXPECT_EQ(options.controlListen, "127.0.0.1:9555");
  EXPECT_EQ(options.simulator.cluster.nodeCount, 3u);
  EXPECT_EQ(options.simulator.cluster.resourceGroupCount, 2u);
  EXPECT_EQ(options.simulator.cluster.vendor, "SUNW");
  EXPECT_EQ(options.simulator.scenario.kind, ScenarioKind::None);
  EXPECT_EQ(options.simulator.scenario.seed, 1u);
  EXPECT_FALSE(options.simulator.stampEmission) << "events are what a real cluster sends";
}

TEST(SimOptionsTest, FlagsAreConverted) {
  const auto parsed = parse({"--listen",
                             "[::1]:7000",
                             "--client-timeout",
                             "1.5s",
                             "--client-retry-interval",
                             "2",
                             "--client-retry-count",
                             "0",
                             "--nodes",
                             "n1,n2",
                             "--resource-groups",
                             "0",
                             "--scenario",
                             "flood",
                             "--seed",
                             "18446744073709551615",
                             "--vendor",
                             "ORCL",
                             "--state-file",
                             "/tmp/x.json",
                             "--max-clients",
                             "5",
                             "--stamp-emission"});
  ASSERT_TRUE(parsed.options) << parsed.output;
  const auto& options = *parsed.options;
  EXPECT_EQ(crnp::toString(options.simulator.server.listen), "[::1]:7000");
  EXPECT_EQ(options.simulator.server.clientTimeout, 1500ms);
  EXPECT_EQ(options.simulator.server.clientRetryInterval, 2s);
  EXPECT_EQ(options.simulator.server.clientRetryCount, 0u);
  EXPECT_EQ(options.simulator.cluster.nodeNames, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(options.simulator.cluster.resourceGroupCount, 0u);
  EXPECT_EQ(options.simulator.scenario.kind, ScenarioKind::Flood);
  EXPECT_EQ(options.simulator.scenario.seed, 18446744073709551615u);
  EXPECT_EQ(options.simulator.server.stateFile, "/tmp/x.json");
  EXPECT_EQ(options.simulator.server.maxClients, 5u);
  EXPECT_TRUE(options.simulator.stampEmission);
}

TEST(SimOptionsTest, EnvironmentTwinsApplyUnlessTheFlagIsGiven) {
  ::setenv("CRNP_SIM_RESOURCE_GROUPS", "7", 1);
  ::setenv("CRNP_SIM_SCENARIO", "random", 1);
  const auto fromEnv = parse({});
  const auto flagWins = parse({"--scenario", "none"});
  ::unsetenv("CRNP_SIM_RESOURCE_GROUPS");
  ::unsetenv("CRNP_SIM_SCENARIO");
  ASSERT_TRUE(fromEnv.options) << fromEnv.output;
  EXPECT_EQ(fromEnv.options->simulator.cluster.resourceGroupCount, 7u);
  EXPECT_EQ(fromEnv.options->simulator.scenario.kind, ScenarioKind::Random);
  ASSERT_TRUE(flagWins.options);
  EXPECT_EQ(flagWins.options->simulator.scenario.kind, ScenarioKind::None);
}

TEST(SimOptionsTest, HelpAndMistakes) {
  const auto help = parse({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--event-rate"), std::string::npos);
  const std::vector<std::vector<std::string>> mistakes = {
      {"--client-timeout", "0"},
      {"--client-timeout", "8d"},
      {"--client-timeout", "169h"},  // over a week
      {"--client-retry-interval", "99999999999h"},
      {"--client-retry-interval", "2 s"},
      {"--control-listen", "9555"},
      {"--control-listen", "host:port"},
      {"--deny-hosts", "banana"},
      {"--event-rate", "0"},
      {"--max-clients", "0"},
      {"--nodes", "a b"},
      {"--nodes", "a,"},
      {"--resource-groups", "10001"},
  };
  for (const auto& args : mistakes) {
    const auto parsed = parse(args);
    EXPECT_FALSE(parsed.options) << args[0] << " " << args[1];
    EXPECT_EQ(parsed.exitCode, 2);
    EXPECT_NE(parsed.output.find("--help"), std::string::npos) << parsed.output;
  }
}

}  // namespace
}  // namespace crnp::sim
