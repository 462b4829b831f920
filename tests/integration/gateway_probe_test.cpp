// crnp-gateway-probe (the chart's exec probe and `helm test` check) against a real gateway:
// SERVING gives exit 0, an unknown service or an unreachable gateway exit 1, TLS with the
// right CA works and plaintext against TLS fails, bad usage exits 2.
#include <gtest/gtest.h>

#include "gateway_process_fixture.hpp"
#include "test_pki.hpp"

namespace crnp::integration {
namespace {

using test::eventually;
using testing::ChildProcess;
using testing::PemPair;
using testing::TestPki;

class GatewayProbeTest : public GatewayProcessFixture {
 protected:
  struct Result {
    int code = -1;
    std::string output;
  };

  static Result probe(const Args& args) {
    ChildProcess process(CRNP_BIN_DIR "/crnp-gateway-probe", args);
    auto exit = process.waitExit(kRpcDeadline);
    // The exit can be seen before the output is read: wait for the probe's one line.
    process.waitForLine(std::regex(R"(\S)"), 5s);
    Result result;
    if (exit && exit->signal == 0) result.code = exit->code;
    result.output = process.output();
    return result;
  }

  /// Exit code of the probe once the gateway's upstream is healthy (readiness needs it).
  Result probeUntilServing(const Args& args) {
    Result last;
    eventually(
        [&] {
          last = probe(args);
          return last.code == 0;
        },
        kConvergeDeadline);
    return last;
  }
};

TEST_F(GatewayProbeTest, ServingGatewayPassesAndUnknownServiceFails) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  const Result serving = probeUntilServing({"--address", gatewayAddress_});
  EXPECT_EQ(serving.code, 0) << serving.output;
  EXPECT_NE(
      serving.output.find("\"crnp.gateway.v1.CrnpGateway\" at " + gatewayAddress_ + ": SERVING"),
      std::string::npos)
      << serving.output;
  EXPECT_EQ(probe({"--address", gatewayAddress_, "--service", ""}).code, 0);

  const Result unknown = probe({"--address", gatewayAddress_, "--service", "no.such.Service"});
  EXPECT_EQ(unknown.code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("check failed"), std::string::npos) << unknown.output;
}

TEST_F(GatewayProbeTest, UpstreamOutageTurnsTheProbeNotServing) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  // A registration gives the gateway an upstream registration to keep (re-registered every
  // second by the fixture's flags), whose failure turns the health NOT_SERVING.
  ASSERT_TRUE(registerTypes("probe", {eventType("EC_Cluster")}).ok());
  ASSERT_EQ(probeUntilServing({"--address", gatewayAddress_}).code, 0);
  stopSim();  // the cluster goes away: readiness must follow, the process stays up
  Result last;
  eventually(
      [&] {
        last = probe({"--address", gatewayAddress_});
        return last.code == 1;
      },
      kConvergeDeadline);
  EXPECT_EQ(last.code, 1) << last.output;
  EXPECT_NE(last.output.find("NOT_SERVING"), std::string::npos) << last.output;
}

TEST_F(GatewayProbeTest, UnreachableGatewayFailsWithinTheTimeout) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  const std::string address = gatewayAddress_;
  // Fully started first (a SIGTERM right after the listening line can beat the gateway's
  // signal handler), then stopped: nothing listens on the address any more.
  ASSERT_EQ(probeUntilServing({"--address", address}).code, 0);
  stopGateway();
  const auto started = std::chrono::steady_clock::now();
  const Result result = probe({"--address", address, "--timeout", "1"});
  EXPECT_EQ(result.code, 1) << result.output;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(GatewayProbeTest, TlsNeedsTheRightCa) {
  if (!TestPki::available()) GTEST_SKIP() << "no " << TestPki::kOpenssl;
  TestPki pki;
  const PemPair ca = pki.makeCa("ca");
  const PemPair server = pki.issue(ca, "server", "gateway-one", 1001);
  const PemPair otherCa = pki.makeCa("other-ca");
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--tls-cert", server.cert, "--tls-key", server.key}));
  const Result tls = probeUntilServing({"--address", gatewayAddress_, "--tls-ca", ca.cert});
  EXPECT_EQ(tls.code, 0) << tls.output;
  EXPECT_EQ(probe({"--address", gatewayAddress_, "--timeout", "1"}).code, 1);  // plaintext
  EXPECT_EQ(probe({"--address", gatewayAddress_, "--timeout", "1", "--tls-ca", otherCa.cert}).code,
            1);
}

TEST(GatewayProbeUsageTest, BadUsageExitsTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--tls-cert", "/nonexistent.pem"},
                                                                {"--timeout", "0"},
                                                                {"--no-such-flag"},
                                                                {"--tls-server-name", "gw"}}) {
    ChildProcess process(CRNP_BIN_DIR "/crnp-gateway-probe", args);
    auto exit = process.waitExit(kRpcDeadline);
    ASSERT_TRUE(exit);
    EXPECT_TRUE(exit->exitedWith(2)) << args.front() << ": " << process.output();
  }
}

}  // namespace
}  // namespace crnp::integration
