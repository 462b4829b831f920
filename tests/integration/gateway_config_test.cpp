// crnp-gateway as a process configured by a --config file: the file's values are used, the
// environment and flags win over it, --print-config reports every source, a bad file stops the
// start with exit code 2, and --log-format json makes every output line a JSON object.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "gateway_process_fixture.hpp"

namespace crnp::integration {
namespace {

using testing::ChildProcess;

// A loopback port nothing listens on right now (bound, read, released).
int unusedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  return bound ? ntohs(address.sin_port) : 0;
}

// After the child exited: waits until its output pipe is closed, so output() is complete.
void drainOutput(ChildProcess& child) {
  const std::regex never("(?!)");
  child.waitForLine(never, std::chrono::seconds(5));
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class GatewayConfigTest : public ::testing::Test {
 protected:
  std::string writeConfig(const std::string& text) {
    const std::string path = dir_.string() + "/gateway.yaml";
    std::ofstream(path) << text;
    return path;
  }

  /// Runs crnp-gateway to its exit (options errors and --print-config exit by themselves).
  std::pair<testing::ExitStatus, std::string> runToExit(const std::vector<std::string>& args,
                                                        const ChildProcess::Environment& env = {}) {
    ChildProcess gateway(CRNP_BIN_DIR "/crnp-gateway", args, env);
    auto status = gateway.waitExit(kStartDeadline);
    EXPECT_TRUE(status) << "still running:\n" << gateway.output();
    drainOutput(gateway);
    return {status.value_or(testing::ExitStatus{}), gateway.output()};
  }

  testing::TempDir dir_;
};

TEST_F(GatewayConfigTest, GatewayUsesTheFilesValuesAndLogsJsonLines) {
  const int port = unusedLoopbackPort();
  ASSERT_NE(port, 0);
  const std::string dataDir = dir_.string() + "/data-from-file";
  const auto config = writeConfig(
      "embedded-cluster: true\n"
      "embedded-scenario: none\n"
      "grpc-listen: 127.0.0.1:" +
      std::to_string(port) +
      "\n"
      "callback-listen: 127.0.0.1:0\n"
      "data-dir: " +
      dataDir +
      "\n"
      "log-format: json\n"
      "log-level: info\n"
      "shutdown-timeout: 5s\n");
  // The environment raises the level over the file's.
  auto gateway = std::make_unique<ChildProcess>(
      CRNP_BIN_DIR "/crnp-gateway", std::vector<std::string>{"--config", config},
      ChildProcess::Environment{{"CRNP_GATEWAY_LOG_LEVEL", "debug"}});
  const auto grpcLine =
      gateway->waitForLine(std::regex(R"(gRPC listening on ([^\s"]+:\d+))"), kStartDeadline);
  ASSERT_TRUE(grpcLine) << gateway->output();
  EXPECT_EQ((*grpcLine)[1], "127.0.0.1:" + std::to_string(port)) << "grpc-listen from the file";
  EXPECT_TRUE(std::filesystem::exists(dataDir + "/registrations.db")) << "data-dir from the file";

  {
    auto stub = gw::CrnpGateway::NewStub(
        grpc::CreateChannel((*grpcLine)[1], grpc::InsecureChannelCredentials()));
    gw::RegisterRequest request;
    request.set_registration_id("from-config-test");
    *request.add_event_types() = eventType("EC_Cluster", "ESC_cluster_membership");
    gw::Registration registration;
    const auto status = stub->Register(contextWithDeadline().get(), request, &registration);
    EXPECT_TRUE(status.ok()) << status.error_message() << "\n" << gateway->output();
  }
  gateway->sendSignal(SIGTERM);
  const auto exit = gateway->waitExit(kStartDeadline);
  ASSERT_TRUE(exit && exit->exitedWith(0)) << gateway->output();
  drainOutput(*gateway);

  std::set<std::string> components;
  std::set<std::string> levels;
  const auto lines = linesOf(gateway->output());
  ASSERT_GT(lines.size(), 5u) << gateway->output();
  for (const auto& line : lines) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(json.is_object()) << "not a JSON object: " << line;
    ASSERT_TRUE(json.contains("time") && json["time"].is_string()) << line;
    EXPECT_TRUE(std::regex_match(json["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << line;
    ASSERT_TRUE(json.contains("level") && json["level"].is_string()) << line;
    ASSERT_TRUE(json.contains("component") && json["component"].is_string()) << line;
    ASSERT_TRUE(json.contains("msg") && json["msg"].is_string()) << line;
    components.insert(json["component"].get<std::string>());
    levels.insert(json["level"].get<std::string>());
  }
  for (const char* expected : {"app", "upstream", "registration", "callback", "registry"}) {
    EXPECT_TRUE(components.count(expected)) << expected << " missing in\n" << gateway->output();
  }
  EXPECT_TRUE(levels.count("debug")) << "CRNP_GATEWAY_LOG_LEVEL=debug over the file's info";
  // The registration change is one line with its fields.
  bool created = false;
  for (const auto& line : lines) {
    const auto json = nlohmann::json::parse(line);
    if (json["msg"] == "registration created") {
      created = true;
      EXPECT_EQ(json["component"], "registration");
      EXPECT_EQ(json["registration"], "from-config-test");
      EXPECT_EQ(json["types"], 1);
    }
  }
  EXPECT_TRUE(created) << gateway->output();
}

TEST_F(GatewayConfigTest, PrintConfigShowsEachValueAndItsSource) {
  const auto config = writeConfig(
      "grpc-listen: 127.0.0.1:1001\n"
      "crnp-server: [a.example:9444, b.example:9444]\n"
      "ring-events: 1002\n"
      "reply-timeout: 3s\n");
  const auto [status, output] =
      runToExit({"--config", config, "--reply-timeout", "250ms", "--print-config"},
                {{"CRNP_GATEWAY_RING_EVENTS", "2002"}});
  EXPECT_TRUE(status.exitedWith(0)) << status.describe() << "\n" << output;
  const auto lines = linesOf(output);
  auto has = [&lines](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("grpc-listen: \"127.0.0.1:1001\"  # file:1")) << output;
  EXPECT_TRUE(has("crnp-server: [\"a.example:9444\", \"b.example:9444\"]  # file:2")) << output;
  EXPECT_TRUE(has("ring-events: 2002  # env:CRNP_GATEWAY_RING_EVENTS")) << output;
  EXPECT_TRUE(has("reply-timeout: \"250ms\"  # flag")) << output;
  EXPECT_TRUE(has("connect-timeout: \"5s\"  # default")) << output;
  EXPECT_EQ(output.find("listening on"), std::string::npos) << "prints, does not start";
}

TEST_F(GatewayConfigTest, BadConfigFileStopsTheStartWithExitCodeTwo) {
  const auto unknown =
      writeConfig("embedded-cluster: true\ngrpc-listen: 127.0.0.1:0\nrign-events: 5\n");
  const auto [unknownStatus, unknownOutput] = runToExit({"--config", unknown});
  EXPECT_TRUE(unknownStatus.exitedWith(2)) << unknownStatus.describe() << "\n" << unknownOutput;
  EXPECT_NE(unknownOutput.find("config file " + unknown + ", line 3: unknown key 'rign-events'"),
            std::string::npos)
      << unknownOutput;

  const auto bad = writeConfig("embedded-cluster: true\nmax-stream-age: 5 minutes\n");
  const auto [badStatus, badOutput] = runToExit({"--config", bad});
  EXPECT_TRUE(badStatus.exitedWith(2)) << badStatus.describe() << "\n" << badOutput;
  EXPECT_NE(badOutput.find("config file " + bad +
                           ", line 2: max-stream-age: '5 minutes' is not a duration"),
            std::string::npos)
      << badOutput;
  EXPECT_EQ(badOutput.find("listening on"), std::string::npos) << badOutput;
}

}  // namespace
}  // namespace crnp::integration
