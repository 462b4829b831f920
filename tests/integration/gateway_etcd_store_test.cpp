// Two crnp-gateway processes with --store etcd on one 3-member etcd: a registration made on
// one is served by the other. Each runs an embedded cluster of its own; only the elected
// leader registers with its own (the multi-replica suite, label ha, runs replicas against one
// crnp-sim). Skipped when etcd is not installed.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <regex>

#include "child_process.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "etcd_cluster.hpp"
#include "eventually.hpp"
#include "gateway_process_fixture.hpp"

namespace crnp::integration {
namespace {

using testing::ChildProcess;
using testing::EtcdCluster;

struct RunningGateway {
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<gw::CrnpGateway::Stub> stub;
};

// A gateway serving gRPC on `ip`. Its callback port stays on 127.0.0.1 (port 0): the embedded
// cluster admits registrations from 127.0.0.1 only.
RunningGateway startGateway(const std::string& ip, const EtcdCluster& etcd,
                            const std::string& dataDir) {
  RunningGateway gateway;
  const std::vector<std::string> args{"--embedded-cluster",
                                      "--embedded-scenario",
                                      "none",
                                      "--grpc-listen",
                                      ip + ":0",
                                      "--callback-listen",
                                      "127.0.0.1:0",
                                      "--metrics-listen",
                                      "off",
                                      "--data-dir",
                                      dataDir,
                                      "--store",
                                      "etcd",
                                      "--etcd-endpoints",
                                      etcd.endpointList(),
                                      "--etcd-prefix",
                                      "/crnp-it",
                                      "--shutdown-timeout",
                                      "5s"};
  gateway.process = std::make_unique<ChildProcess>(CRNP_BIN_DIR "/crnp-gateway", args);
  auto grpcLine = gateway.process->waitForLine(std::regex(R"(gRPC listening on ([^\s"]+:\d+))"),
                                               kStartDeadline);
  EXPECT_TRUE(grpcLine) << gateway.process->output();
  if (grpcLine) {
    gateway.stub = gw::CrnpGateway::NewStub(
        grpc::CreateChannel((*grpcLine)[1], grpc::InsecureChannelCredentials()));
  }
  return gateway;
}

TEST(GatewayEtcdStore, ARegistrationMadeOnOneGatewayIsServedByTheOther) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster etcd(3);
  testing::TempDir dir;
  auto first = startGateway("127.0.0.2", etcd, dir.string() + "/a");
  auto second = startGateway("127.0.0.3", etcd, dir.string() + "/b");
  ASSERT_TRUE(first.stub && second.stub);

  gw::RegisterRequest request;
  request.set_registration_id("shared-1");
  *request.add_event_types() = eventType("EC_Cluster", "ESC_cluster_membership");
  gw::Registration registered;
  const auto status = first.stub->Register(contextWithDeadline().get(), request, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << first.process->output();

  gw::Registration found;
  ASSERT_TRUE(crnp::test::eventually(
      [&] {
        gw::GetRegistrationRequest get;
        get.set_registration_id("shared-1");
        return second.stub->GetRegistration(contextWithDeadline().get(), get, &found).ok();
      },
      10s))
      << second.process->output();
  EXPECT_EQ(found.registration_id(), "shared-1");
  ASSERT_EQ(found.event_types_size(), 1);
  EXPECT_EQ(found.event_types(0).subclass(), "ESC_cluster_membership");
  // Nothing went to SQLite: the data dirs hold no registration file.
  EXPECT_FALSE(std::filesystem::exists(dir.string() + "/a/registrations.db"));

  // A gateway that cannot reach etcd at start fails with a message naming the endpoints.
  for (int i = 0; i < etcd.size(); ++i) etcd.kill(i);
  ChildProcess third(CRNP_BIN_DIR "/crnp-gateway",
                     {"--embedded-cluster", "--grpc-listen", "127.0.0.4:0", "--callback-listen",
                      "127.0.0.1:0", "--metrics-listen", "off", "--store", "etcd",
                      "--etcd-endpoints", etcd.endpointList(), "--etcd-dial-timeout", "500ms"});
  const auto exit = third.waitExit(kStartDeadline);
  ASSERT_TRUE(exit) << third.output();
  EXPECT_FALSE(exit->exitedWith(0));
  EXPECT_NE(third.output().find("cannot reach etcd at " + etcd.endpointList()), std::string::npos)
      << third.output();

  first.stub.reset();
  second.stub.reset();
}

}  // namespace
}  // namespace crnp::integration
