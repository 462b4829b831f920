// The YAML config file: keys are the options' names, errors name the key, the file and the line.
#include "config_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "effective_config.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;

ConfigFileResult parse(std::string_view text) {
  return parseConfigText(gatewayOptionTable(), text, "gw.yaml");
}

TEST(ConfigFile, ReadsEveryKindOfValueWithItsLine) {
  const auto result = parse(
      "# comment\n"
      "grpc-listen: 127.0.0.1:7000\n"
      "crnp-server:\n"
      "  - a:9444\n"
      "  - \"b:9444\"\n"
      "embedded-cluster: true\n"
      "reply-timeout: 250ms\n"
      "ring-events: 500\n");
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_EQ(result.settings.size(), 5u);
  EXPECT_EQ(result.settings[0].name, "grpc-listen");
  EXPECT_EQ(result.settings[0].values, std::vector<std::string>{"127.0.0.1:7000"});
  EXPECT_EQ(result.settings[0].source.line, 2);
  EXPECT_EQ(result.settings[0].source.where, "gw.yaml");
  EXPECT_EQ(result.settings[1].values, (std::vector<std::string>{"a:9444", "b:9444"}));
  EXPECT_EQ(result.settings[1].source.line, 3);
  EXPECT_EQ(result.settings[4].source.line, 8);

  const auto resolved = resolveConfig(gatewayOptionTable(), result.settings);
  ASSERT_TRUE(resolved.config) << resolved.error;
  EXPECT_EQ(resolved.config->options.grpcListen, "127.0.0.1:7000");
  EXPECT_EQ(resolved.config->options.crnpServers, (std::vector<std::string>{"a:9444", "b:9444"}));
  EXPECT_TRUE(resolved.config->options.embeddedCluster);
  EXPECT_EQ(resolved.config->options.replyTimeout, 250ms);
  EXPECT_EQ(resolved.config->options.ringEvents, 500u);
  EXPECT_EQ(resolved.config->sourceOf("ring-events").label(), "file:8");
  EXPECT_EQ(resolved.config->sourceOf("max-streams").label(), "default");
}

TEST(ConfigFile, AListKeyAlsoTakesOneValueOrACommaList) {
  const auto one = parse("crnp-server: a:1\n");
  ASSERT_TRUE(one.ok()) << one.error;
  EXPECT_EQ(one.settings.at(0).values, std::vector<std::string>{"a:1"});
  const auto commas = parse("crnp-server: a:1, b:2\n");
  ASSERT_TRUE(commas.ok()) << commas.error;
  EXPECT_EQ(commas.settings.at(0).values, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST(ConfigFile, EmptyFileSetsNothing) {
  const auto empty = parse("");
  EXPECT_TRUE(empty.ok()) << empty.error;
  EXPECT_TRUE(empty.settings.empty());
  EXPECT_TRUE(parse("# only a comment\n").ok());
}

TEST(ConfigFile, UnknownKeyNamesTheKeyTheFileAndTheLine) {
  const auto result = parse("grpc-listen: 127.0.0.1:1\n\nring-event: 5\n");
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.error.find("config file gw.yaml, line 3"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("unknown key 'ring-event'"), std::string::npos) << result.error;
}

TEST(ConfigFile, FlagSpellingWithDashesIsUnknown) {
  const auto result = parse("--grpc-listen: 127.0.0.1:1\n");
  EXPECT_NE(result.error.find("unknown key '--grpc-listen'"), std::string::npos) << result.error;
}

TEST(ConfigFile, BadValueNamesTheKeyTheFileAndTheLine) {
  const auto file = parse("grpc-listen: 127.0.0.1:1\nreply-timeout: soon\n");
  ASSERT_TRUE(file.ok()) << file.error;  // values are parsed when resolved
  const auto resolved = resolveConfig(gatewayOptionTable(), file.settings);
  EXPECT_FALSE(resolved.config);
  EXPECT_EQ(resolved.error,
            "config file gw.yaml, line 2: reply-timeout: 'soon' is not a duration (e.g. 250ms, "
            "2s, 5m)");
  const auto range = resolveConfig(gatewayOptionTable(), parse("\n\nring-events: 0\n").settings);
  EXPECT_EQ(range.error, "config file gw.yaml, line 3: ring-events: '0' is not in [1, 100000000]");
  const auto server =
      resolveConfig(gatewayOptionTable(), parse("crnp-server: [a:1, b:x]\n").settings);
  EXPECT_EQ(server.error, "config file gw.yaml, line 1: crnp-server: 'b:x' is not host:port");
}

TEST(ConfigFile, ShapeErrorsNameTheKeyAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"grpc-listen: [a:1, b:2]\n", "line 1: grpc-listen: takes one value, not a list"},
      {"x: 1\ngrpc-listen:\n", "unknown key 'x'"},
      {"ring-events: 1\ngrpc-listen:\n", "line 2: grpc-listen: has no value"},
      {"grpc-listen: {host: a}\n", "line 1: grpc-listen: takes a value, not a map"},
      {"crnp-server: [[a:1]]\n", "line 1: crnp-server: list items must be plain values"},
      {"ring-events: 1\nring-events: 2\n", "line 2: ring-events: set twice"},
      {"- grpc-listen\n", "line 1: expected a map of option: value"},
      {"grpc-listen: 127.0.0.1:1\nring-events: [1\n", "line 3: not valid YAML"},
  };
  for (const auto& c : cases) {
    const auto result = parse(c.text);
    EXPECT_FALSE(result.ok()) << c.text;
    EXPECT_NE(result.error.find(c.expected), std::string::npos) << c.text << " -> " << result.error;
    EXPECT_NE(result.error.find("gw.yaml"), std::string::npos) << result.error;
  }
}

TEST(ConfigFile, MissingOrUnreadableFileIsAnError) {
  crnp::testing::TempDir dir;
  const auto missing = readConfigFile(gatewayOptionTable(), dir.string() + "/none.yaml");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("none.yaml"), std::string::npos) << missing.error;
  const auto directory = readConfigFile(gatewayOptionTable(), dir.string());
  EXPECT_FALSE(directory.ok());
  EXPECT_NE(directory.error.find("not a regular file"), std::string::npos) << directory.error;

  const std::string path = dir.string() + "/gw.yaml";
  std::ofstream(path) << "ring-events: 9\n";
  const auto read = readConfigFile(gatewayOptionTable(), path);
  ASSERT_TRUE(read.ok()) << read.error;
  EXPECT_EQ(read.settings.at(0).source.where, path);
}

}  // namespace
}  // namespace gateway
