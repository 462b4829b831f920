// The defaults table (common/config_defaults.hpp) is the one source: the options and the
// component configs start from it, and the README's flag table, docs/configuration.md (every
// option of the option table) and the Helm chart's comments say the same values. A default or
// an option changed in code without the documentation fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config_defaults.hpp"
#include "crnp/duration.hpp"
#include "gateway_options.hpp"
#include "option_table.hpp"
#include "subscription_config.hpp"
#include "upstream_config.hpp"

namespace gateway {
namespace {

std::string readFile(const std::string& relative) {
  std::ifstream in(std::string(CRNP_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string bytes(std::size_t value) {
  constexpr std::size_t kMiB = 1u << 20;
  return value % kMiB == 0 ? std::to_string(value / kMiB) + " MiB" : std::to_string(value);
}

// What the README's table must say for each flag with a numeric default.
std::map<std::string, std::string> expectedDefaults() {
  using crnp::formatDuration;
  namespace d = defaults;
  return {
      {"--ring-events", std::to_string(d::kRingEvents)},
      {"--ring-bytes", bytes(d::kRingBytes)},
      {"--stream-queue-events", std::to_string(d::kStreamQueueEvents)},
      {"--stream-queue-bytes", bytes(d::kStreamQueueBytes)},
      {"--max-streams", std::to_string(d::kMaxStreams)},
      {"--max-stream-age", formatDuration(d::kMaxStreamAge)},
      {"--connect-timeout", formatDuration(d::kConnectTimeout)},
      {"--reply-timeout", formatDuration(d::kReplyTimeout)},
      {"--reregister-interval", formatDuration(d::kReregisterInterval)},
      {"--silence-threshold", formatDuration(d::kSilenceThreshold)},
      {"--callback-read-timeout", formatDuration(d::kCallbackReadTimeout)},
      {"--callback-first-byte-timeout", formatDuration(d::kCallbackFirstByteTimeout)},
      {"--callback-max-connections", std::to_string(d::kCallbackMaxConnections)},
      {"--callback-max-connections-per-peer", std::to_string(d::kCallbackMaxConnectionsPerPeer)},
      {"--shutdown-timeout", formatDuration(d::kShutdownTimeout)},
      {"--max-streams-per-connection", std::to_string(d::kMaxStreamsPerConnection)},
      {"--max-receive-message-bytes", bytes(d::kMaxReceiveMessageBytes)},
      {"--keepalive-min-ping-interval", formatDuration(d::kKeepaliveMinPingInterval)},
      {"--keepalive-permit-without-calls", d::kKeepalivePermitWithoutCalls ? "true" : "false"},
      {"--security-reload-interval", formatDuration(d::kSecurityReloadInterval)},
      {"--etcd-dial-timeout", formatDuration(d::kEtcdDialTimeout)},
  };
}

// "| `--a`, `--b` | x, y | meaning |" -> {--a: x, --b: y}
std::map<std::string, std::string> readmeDefaults() {
  std::map<std::string, std::string> found;
  std::istringstream lines(readFile("README.md"));
  const std::regex row(R"(^\| (`--[^|]*) \| ([^|]*) \|)");
  const std::regex flag(R"(`(--[a-z0-9-]+)[^`]*`)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!std::regex_search(line, match, row)) continue;
    const std::string flagsCell = match[1];
    std::vector<std::string> values;
    std::istringstream cell(match[2].str());
    for (std::string value; std::getline(cell, value, ',');) {
      value.erase(0, value.find_first_not_of(' '));
      value.erase(value.find_last_not_of(' ') + 1);
      values.push_back(value);
    }
    std::size_t index = 0;
    for (auto it = std::sregex_iterator(flagsCell.begin(), flagsCell.end(), flag);
         it != std::sregex_iterator(); ++it, ++index) {
      found[(*it)[1]] = index < values.size() ? values[index] : "";
    }
  }
  return found;
}

TEST(DefaultsDocumented, ReadmeFlagTableStatesEveryDefaultOfTheTable) {
  const auto readme = readmeDefaults();
  for (const auto& [flag, expected] : expectedDefaults()) {
    const auto it = readme.find(flag);
    ASSERT_NE(it, readme.end()) << flag << " is missing from README.md's flag table";
    EXPECT_EQ(it->second, expected) << flag << " in README.md";
  }
}

// docs/configuration.md: "| `key` | `CRNP_GATEWAY_KEY` | `default` or - | meaning |", one row
// per option of the table and no other.
TEST(DefaultsDocumented, ConfigurationReferenceListsEveryOptionWithItsEnvAndDefault) {
  std::map<std::string, std::pair<std::string, std::string>> rows;  // key -> (env, default)
  std::istringstream lines(readFile("docs/configuration.md"));
  const std::regex row(R"(^\| `([a-z0-9-]+)` \| `([A-Z0-9_]+)` \| ([^|]*?) \|)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) rows[match[1]] = {match[2], match[3]};
  }
  const GatewayOptions defaults;
  for (const auto& spec : gatewayOptionTable()) {
    const auto it = rows.find(spec.name);
    ASSERT_NE(it, rows.end()) << spec.name << " is missing from docs/configuration.md";
    EXPECT_EQ(it->second.first, spec.envName()) << spec.name;
    const std::string shown = showJoined(spec, defaults);
    EXPECT_EQ(it->second.second, shown.empty() ? "-" : "`" + shown + "`") << spec.name;
    rows.erase(it);
  }
  for (const auto& [key, unused] : rows) {
    ADD_FAILURE() << "docs/configuration.md documents " << key << ", which is no option";
  }
}

TEST(DefaultsDocumented, HelmChartCommentsStateTheMemoryDefaults) {
  const std::string values = readFile("helm/crnp-gateway/values.yaml");
  EXPECT_NE(values.find("--ring-bytes, " + bytes(defaults::kRingBytes) + " by default"),
            std::string::npos);
  EXPECT_NE(values.find("--stream-queue-bytes (" + bytes(defaults::kStreamQueueBytes) + ")"),
            std::string::npos);
}

TEST(DefaultsDocumented, HelmChartCommentsStateTheGrpcPortDefaults) {
  const std::string values = readFile("helm/crnp-gateway/values.yaml");
  const std::string expected[] = {
      "--max-streams-per-connection (" + std::to_string(defaults::kMaxStreamsPerConnection) + ")",
      "--max-receive-message-bytes (" + bytes(defaults::kMaxReceiveMessageBytes) + ")",
      "--keepalive-min-ping-interval (" +
          crnp::formatDuration(defaults::kKeepaliveMinPingInterval) + ")",
      "--security-reload-interval (" + crnp::formatDuration(defaults::kSecurityReloadInterval) +
          ")",
  };
  for (const auto& text : expected) {
    EXPECT_NE(values.find(text), std::string::npos) << text << " in values.yaml";
  }
}

TEST(DefaultsDocumented, SecurityGuideStatesTheGrpcPortDefaults) {
  const std::string guide = readFile("docs/security.md");
  for (const auto* flag : {"--max-streams-per-connection", "--max-receive-message-bytes",
                           "--keepalive-min-ping-interval", "--keepalive-permit-without-calls",
                           "--security-reload-interval"}) {
    const std::string row = "| `" + std::string(flag) + "` | " + expectedDefaults().at(flag) + " |";
    EXPECT_NE(guide.find(row), std::string::npos) << row << " in docs/security.md";
  }
}

TEST(DefaultsDocumented, FlagsAndComponentConfigsStartFromTheTable) {
  const GatewayOptions flags;
  const UpstreamConfig upstream;
  const EventHubConfig hub;
  const SubscriptionConfig streams;
  EXPECT_EQ(flags.ringEvents, hub.ringCapacity);
  EXPECT_EQ(flags.ringBytes, hub.ringBytes);
  EXPECT_EQ(flags.streamQueueEvents, streams.maxQueueEvents);
  EXPECT_EQ(flags.streamQueueBytes, streams.maxQueueBytes);
  EXPECT_EQ(flags.maxStreams, streams.maxStreams);
  EXPECT_EQ(flags.maxStreamAge, streams.maxStreamAge);
  EXPECT_EQ(flags.connectTimeout, upstream.client.connectTimeout);
  EXPECT_EQ(flags.replyTimeout, upstream.client.replyTimeout);
  EXPECT_EQ(flags.reregisterInterval, upstream.reregisterInterval);
  EXPECT_EQ(flags.silenceThreshold, upstream.silenceThreshold);
  EXPECT_EQ(flags.callbackReadTimeout, upstream.callbackReadTimeout);
  EXPECT_EQ(flags.callbackFirstByteTimeout, upstream.callbackFirstByteTimeout);
  EXPECT_EQ(flags.callbackMaxConnections, upstream.callbackMaxConnections);
  EXPECT_EQ(flags.callbackMaxConnectionsPerPeer, upstream.callbackMaxConnectionsPerPeer);
}

}  // namespace
}  // namespace gateway
