// crnp-sim as a process: flags and their environment twins, the logged ports, a hand-written
// CRNP registration over a raw socket with its snapshot on a raw callback port, the control
// API driving it, exit codes (0 after SIGTERM/SIGINT, 2 for a bad command line, 1 when it
// cannot listen).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "crnp/sim/v1/control.grpc.pb.h"
#include "crnp_test_client.hpp"
#include "raw_callback_receiver.hpp"
#include "raw_socket.hpp"

namespace {

using crnp::testing::ChildProcess;
using crnp_test::RawCallbackReceiver;
using namespace std::chrono_literals;

const std::string kSimBinary = CRNP_BIN_DIR "/crnp-sim";
const std::regex kRegistrationLine(R"(registration listening on 127\.0\.0\.1:(\d+))");
const std::regex kControlLine(R"(control listening on 127\.0\.0\.1:(\d+))");

struct RunningSim {
  std::uint16_t crnpPort = 0;
  std::uint16_t controlPort = 0;
};

RunningSim waitUntilListening(ChildProcess& sim) {
  RunningSim ports;
  const auto registration = sim.waitForLine(kRegistrationLine, 20s);
  const auto control = sim.waitForLine(kControlLine, 20s);
  EXPECT_TRUE(registration && control) << sim.output();
  if (registration) ports.crnpPort = static_cast<std::uint16_t>(std::stoi((*registration)[1]));
  if (control) ports.controlPort = static_cast<std::uint16_t>(std::stoi((*control)[1]));
  return ports;
}

std::optional<crnp::testing::ExitStatus> runToExit(const std::vector<std::string>& args,
                                                   const ChildProcess::Environment& env = {}) {
  ChildProcess sim(kSimBinary, args, env);
  const auto status = sim.waitExit(20s);
  return status;
}

TEST(SimProcessTest, ServesRegistrationsSnapshotsAndControlThenStopsOnSigterm) {
  ChildProcess sim(kSimBinary,
                   {"--listen", "127.0.0.1:0", "--allow-hosts", "127.0.0.0/8", "--nodes",
                    "alpha,beta", "--resource-groups", "1"},
                   {{"CRNP_SIM_CONTROL_LISTEN", "127.0.0.1:0"},
                    {"CRNP_SIM_VENDOR", "ORCL"},
                    {"CRNP_SIM_LISTEN", "not-an-endpoint"},
                    {"CRNP_SIM_LOG_LEVEL", "debug"}});  // the flag wins over its twin
  const auto ports = waitUntilListening(sim);
  ASSERT_NE(ports.crnpPort, 0);

  RawCallbackReceiver receiver;
  const std::string request =
      "<?xml version=\"1.0\"?>\n"
      "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"" +
      std::to_string(receiver.port()) +
      "\" regType=\"ADD_CLIENT\">"
      "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_membership\"/>"
      "</SC_CALLBACK_REG>";
  const auto reply = crnp_test::exchange(ports.crnpPort, request);
  ASSERT_TRUE(reply.connected);
  EXPECT_TRUE(reply.closedByPeer) << "the server closes after its reply";
  ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;

  ASSERT_TRUE(receiver.waitForConnections(1)) << sim.output();
  const auto snapshot = receiver.connections()[0].bytes;
  EXPECT_NE(snapshot.find("<SC_EVENT"), std::string::npos) << snapshot;
  EXPECT_EQ(crnp_test::attributeOf(snapshot, "SUBCLASS"), "ESC_cluster_membership");
  EXPECT_EQ(crnp_test::attributeOf(snapshot, "VENDOR"), "ORCL");
  EXPECT_NE(snapshot.find("alpha"), std::string::npos);
  EXPECT_NE(snapshot.find("beta"), std::string::npos);
  EXPECT_EQ(snapshot.find("-1"), std::string::npos) << "both nodes are members";

  // The control API (gRPC) changes the cluster; the client sees the membership change.
  auto stub = crnp::sim::v1::SimControl::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(ports.controlPort), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  crnp::sim::v1::SetNodeStateRequest down;
  down.set_node("beta");
  crnp::sim::v1::ClusterView view;
  ASSERT_TRUE(stub->SetNodeState(&context, down, &view).ok());
  ASSERT_TRUE(receiver.waitForConnections(2)) << sim.output();
  EXPECT_NE(receiver.connections()[1].bytes.find("-1"), std::string::npos);

  // Stopping takes up to the control shutdown deadline (1 s): this idle gRPC client does not
  // answer the server's GOAWAY while the test polls nothing.
  ASSERT_TRUE(sim.sendSignal(SIGTERM));
  const auto status = sim.waitExit(20s);
  ASSERT_TRUE(status) << "still running after SIGTERM\n" << sim.output();
  EXPECT_TRUE(status->exitedWith(0)) << status->describe() << "\n" << sim.output();
  EXPECT_TRUE(sim.waitForLine(std::regex("crnp-sim: stopped"), 1s)) << sim.output();
}

TEST(SimProcessTest, RandomScenarioStreamsEventsAndSigintStopsIt) {
  ChildProcess sim(kSimBinary,
                   {"--listen", "127.0.0.1:0", "--control-listen", "127.0.0.1:0", "--allow-hosts",
                    "127.0.0.0/8", "--scenario", "random", "--event-rate", "500", "--seed", "3"});
  const auto ports = waitUntilListening(sim);
  ASSERT_NE(ports.crnpPort, 0);
  RawCallbackReceiver receiver;
  const auto reply = crnp_test::exchange(
      ports.crnpPort,
      crnp_test::registration(receiver.port(), "ADD_CLIENT", crnp_test::subscribeAll()));
  ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  ASSERT_TRUE(receiver.waitForConnections(20)) << receiver.count() << "\n" << sim.output();
  ASSERT_TRUE(sim.sendSignal(SIGINT));
  const auto status = sim.waitExit(20s);
  ASSERT_TRUE(status) << sim.output();
  EXPECT_TRUE(status->exitedWith(0)) << status->describe() << "\n" << sim.output();
}

TEST(SimProcessTest, BadCommandLinesExitWithTwoAndNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    ChildProcess::Environment env;
    std::string mentioned;
  };
  const std::vector<Case> cases = {
      {{"--scenario", "bogus"}, {}, "--scenario"},
      {{"--listen", "localhost"}, {}, "--listen"},
      {{"--listen", "127.0.0.1:70000"}, {}, "--listen"},
      {{"--client-timeout", "5 parsecs"}, {}, "--client-timeout"},
      {{"--client-retry-interval", "-3s"}, {}, "--client-retry-interval"},
      {{"--allow-hosts", "10.0.0.0/99"}, {}, "--allow-hosts"},
      {{"--nodes", "a,a"}, {}, "twice"},
      {{"--nodes", "0"}, {}, "--nodes"},
      {{"--vendor", "ACME"}, {}, "--vendor"},
      {{"--no-such-flag"}, {}, "--no-such-flag"},
      {{"positional"}, {}, "positional"},
      {{}, {{"CRNP_SIM_EVENT_RATE", "-1"}}, "--event-rate"},
      {{}, {{"CRNP_SIM_SEED", "twelve"}}, "--seed"},
  };
  for (const auto& c : cases) {
    ChildProcess sim(kSimBinary, c.args, c.env);
    const auto status = sim.waitExit(20s);
    ASSERT_TRUE(status) << sim.output();
    EXPECT_TRUE(status->exitedWith(2)) << c.mentioned << ": " << status->describe() << "\n"
                                       << sim.output();
    // The output pipe may still be draining after the exit: wait for the line itself.
    EXPECT_TRUE(sim.waitForLine(std::regex(c.mentioned), 10s)) << sim.output();
  }
}

TEST(SimProcessTest, HelpListsEveryFlagWithItsEnvironmentVariable) {
  ChildProcess sim(kSimBinary, {"--help"});
  const auto status = sim.waitExit(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exitedWith(0)) << status->describe();
  for (const char* env :
       {"CRNP_SIM_LISTEN", "CRNP_SIM_ALLOW_HOSTS", "CRNP_SIM_DENY_HOSTS", "CRNP_SIM_MAX_CLIENTS",
        "CRNP_SIM_CLIENT_TIMEOUT", "CRNP_SIM_CLIENT_RETRY_COUNT", "CRNP_SIM_CLIENT_RETRY_INTERVAL",
        "CRNP_SIM_STATE_FILE", "CRNP_SIM_CONTROL_LISTEN", "CRNP_SIM_NODES",
        "CRNP_SIM_RESOURCE_GROUPS", "CRNP_SIM_SCENARIO", "CRNP_SIM_EVENT_RATE", "CRNP_SIM_SEED",
        "CRNP_SIM_VENDOR"}) {
    EXPECT_TRUE(sim.waitForLine(std::regex(env), 10s)) << env;
  }
}

TEST(SimProcessTest, ExitsWithOneWhenItCannotListen) {
  auto busy = crnp::test::RawSocket::listenOn("127.0.0.1");
  const auto status = runToExit({"--listen", "127.0.0.1:" + std::to_string(busy.localPort()),
                                 "--control-listen", "127.0.0.1:0"});
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exitedWith(1)) << status->describe();
}

}  // namespace
