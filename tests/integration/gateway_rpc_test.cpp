// Every unary RPC of crnp-gateway against a real crnp-sim, and the status table forced through
// the simulator's fault injection (docs/status-mapping.md).
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "gateway_process_fixture.hpp"
#include "status_details.hpp"

namespace crnp::integration {
namespace {

using ::gateway::test::parseStatusDetails;

/// The status carries ErrorInfo{reason, domain crnp-gateway} in its details.
void expectErrorInfo(const grpc::Status& status, grpc::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  const auto details = parseStatusDetails(status);
  ASSERT_TRUE(details.parsed) << "no google.rpc.Status details: " << status.error_message();
  EXPECT_EQ(details.status.code(), static_cast<int>(code));
  ASSERT_TRUE(details.errorInfo) << status.error_message();
  EXPECT_EQ(details.errorInfo->reason(), reason);
  EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
}

class GatewayRpcTest : public GatewayProcessFixture {};

TEST_F(GatewayRpcTest, RegisterGetListUnregisterRoundTrip) {
  ASSERT_NO_FATAL_FAILURE(startBoth());

  gw::Registration generated;
  ASSERT_TRUE(registerTypes("", {eventType("EC_Cluster")}, &generated).ok());
  EXPECT_TRUE(std::regex_match(generated.registration_id(), std::regex("[0-9a-f]{32}")))
      << generated.registration_id();
  EXPECT_TRUE(simKnowsGateway()) << "Register answers after the upstream registration";

  // Idempotent: the same request twice leaves the same state.
  auto rgState = eventType("EC_Cluster", "ESC_cluster_rg_state");
  auto* rgName = rgState.add_nvpairs();  // an rg_state type names exactly one group
  rgName->set_name("rg_name");
  rgName->add_values("rg-web");
  const std::vector<gw::EventType> types{eventType("EC_Cluster", "ESC_cluster_membership"),
                                         rgState};
  gw::Registration first;
  gw::Registration second;
  const auto firstStatus = registerTypes("app-1", types, &first);
  ASSERT_TRUE(firstStatus.ok()) << firstStatus.error_message();
  ASSERT_TRUE(registerTypes("app-1", types, &second).ok());
  EXPECT_EQ(first.registration_id(), "app-1");
  EXPECT_EQ(second.event_types_size(), 2);

  gw::Registration fetched;
  ASSERT_TRUE(getRegistration("app-1", &fetched).ok());
  EXPECT_EQ(fetched.event_types_size(), 2);

  gw::ListRegistrationsResponse list;
  ASSERT_TRUE(gatewayStub_->ListRegistrations(contextWithDeadline().get(), {}, &list).ok());
  EXPECT_EQ(list.registrations_size(), 2);

  // Removing one type keeps the rest.
  gw::UnregisterRequest removeOne;
  removeOne.set_registration_id("app-1");
  *removeOne.add_event_types() = rgState;
  gw::UnregisterResponse partial;
  ASSERT_TRUE(gatewayStub_->Unregister(contextWithDeadline().get(), removeOne, &partial).ok());
  EXPECT_FALSE(partial.removed());
  ASSERT_EQ(partial.registration().event_types_size(), 1);
  EXPECT_EQ(partial.registration().event_types(0).subclass(), "ESC_cluster_membership");

  // Without types the whole registration goes; then it is unknown.
  gw::UnregisterRequest removeAll;
  removeAll.set_registration_id("app-1");
  gw::UnregisterResponse whole;
  ASSERT_TRUE(gatewayStub_->Unregister(contextWithDeadline().get(), removeAll, &whole).ok());
  EXPECT_TRUE(whole.removed());
  expectErrorInfo(getRegistration("app-1", &fetched), grpc::StatusCode::NOT_FOUND,
                  "REGISTRATION_NOT_FOUND");
  expectErrorInfo(gatewayStub_->Unregister(contextWithDeadline().get(), removeAll, &whole),
                  grpc::StatusCode::NOT_FOUND, "REGISTRATION_NOT_FOUND");
}

TEST_F(GatewayRpcTest, GetClusterStateHoldsEmittedEvents) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_TRUE(registerTypes("state", {eventType("EC_Cluster")}).ok());

  sim::SetNodeStateRequest down;
  down.set_node("phys-node-2");
  down.set_up(false);
  sim::ClusterView view;
  ASSERT_TRUE(control_->SetNodeState(contextWithDeadline().get(), down, &view).ok());

  gw::ClusterState state;
  const bool sawNodeDown = test::eventually(
      [&] {
        gw::GetClusterStateRequest request;
        *request.add_event_types() = eventType("EC_Cluster", "ESC_cluster_membership");
        state.Clear();
        if (!gatewayStub_->GetClusterState(contextWithDeadline().get(), request, &state).ok()) {
          return false;
        }
        for (const auto& event : state.events()) {
          for (const auto& node : event.membership().nodes()) {
            if (node.node() == "phys-node-2" && !node.member()) return true;
          }
        }
        return false;
      },
      kConvergeDeadline);
  EXPECT_TRUE(sawNodeDown) << state.DebugString();
  for (const auto& event : state.events()) {
    EXPECT_EQ(event.subclass(), "ESC_cluster_membership") << "the filter applies";
  }
  EXPECT_TRUE(state.upstream().healthy()) << state.upstream().DebugString();
  EXPECT_EQ(state.upstream().server(), simCrnpAddress_);
  EXPECT_GT(state.upstream().events_received(), 0u);
}

TEST_F(GatewayRpcTest, ClientMistakeIsRejectedBeforeUpstream) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  const grpc::Status status = registerTypes("bad", {eventType("")});
  expectErrorInfo(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_EVENT_TYPE");
  EXPECT_EQ(listClients().clients_size(), 0) << "nothing reached the CRNP server";
  gw::Registration fetched;
  EXPECT_EQ(getRegistration("bad", &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
}

struct ReplyRow {
  const char* crnpCode;
  grpc::StatusCode grpcCode;
  bool retryInfo;  // retrying later can help
};

// Each row once against one process pair: a refused Register changes nothing, so the next row
// starts from the same (empty) state. The maintenance timer is slowed so that it cannot take
// the one-shot fault meant for a Register.
TEST_F(GatewayRpcTest, EveryReplyCodeMapsToItsGrpcStatus) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "10m"}));
  const ReplyRow rows[] = {
      {"RETRY", grpc::StatusCode::UNAVAILABLE, true},
      {"LOW_RESOURCE", grpc::StatusCode::RESOURCE_EXHAUSTED, true},
      {"SYSTEM_ERROR", grpc::StatusCode::INTERNAL, false},
      {"FAIL", grpc::StatusCode::PERMISSION_DENIED, false},
      {"MALFORMED", grpc::StatusCode::INTERNAL, false},
      {"INVALID", grpc::StatusCode::INVALID_ARGUMENT, false},
      {"VERSION_TOO_HIGH", grpc::StatusCode::FAILED_PRECONDITION, false},
      {"VERSION_TOO_LOW", grpc::StatusCode::FAILED_PRECONDITION, false},
  };
  int index = 0;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.crnpCode);
    ASSERT_TRUE(injectFault(sim::InjectFaultRequest::REPLY_CODE, 1, row.crnpCode).ok());
    const std::string id = "refused-" + std::to_string(index++);
    const grpc::Status status = registerTypes(id, {eventType("EC_Cluster")});
    expectErrorInfo(status, row.grpcCode, std::string("CRNP_") + row.crnpCode);
    const auto details = parseStatusDetails(status);
    EXPECT_EQ(details.retryInfo.has_value(), row.retryInfo);
    if (details.errorInfo) {
      const auto& metadata = details.errorInfo->metadata();
      EXPECT_TRUE(metadata.count("crnp_status") && metadata.at("crnp_status") == row.crnpCode);
      EXPECT_TRUE(metadata.count("crnp_server") && metadata.at("crnp_server") == simCrnpAddress_);
      EXPECT_TRUE(metadata.count("crnp_message") && !metadata.at("crnp_message").empty());
    }
    gw::Registration fetched;
    EXPECT_EQ(getRegistration(id, &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
    ASSERT_TRUE(clearFaults().ok());
  }
  EXPECT_EQ(listClients().clients_size(), 0);
}

// A transport failure leaves the gateway unsure what the server applied, so it repairs the
// server in the background (REMOVE_CLIENT): that exchange could take a second one-shot fault,
// hence one process pair per case.
TEST_F(GatewayRpcTest, ClosedWithoutReplyIsConnectionReset) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "10m"}));
  ASSERT_TRUE(injectFault(sim::InjectFaultRequest::DROP_REPLY, 1).ok());
  expectErrorInfo(registerTypes("dropped", {neverEmittedType()}), grpc::StatusCode::UNAVAILABLE,
                  "CRNP_CONNECTION_RESET");
  gw::Registration fetched;
  EXPECT_EQ(getRegistration("dropped", &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewayRpcTest, SlowReplyIsDeadlineExceeded) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "10m"}));
  // A reply slower than --reply-timeout (1 s): REPLY_TIMEOUT.
  ASSERT_TRUE(delayNextReply(4s).ok());
  expectErrorInfo(registerTypes("slow", {neverEmittedType()}), grpc::StatusCode::DEADLINE_EXCEEDED,
                  "CRNP_TIMEOUT");
  gw::Registration fetched;
  EXPECT_EQ(getRegistration("slow", &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
}

// A Register whose client gave up while it waited behind a slow one is not applied later:
// the client was told DEADLINE_EXCEEDED, so a registration appearing afterwards would be a lie.
TEST_F(GatewayRpcTest, RegisterQueuedPastItsDeadlineIsNotAppliedLater) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "10m", "--reply-timeout", "10s"}));
  ASSERT_TRUE(delayNextReply(3s).ok());
  std::thread slow([this] { EXPECT_TRUE(registerTypes("slow", {neverEmittedType()}).ok()); });
  // Wait until the slow change holds the queue (the sim has it), then queue one behind it.
  ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline));
  gw::RegisterRequest request;
  request.set_registration_id("impatient");
  *request.add_event_types() = eventType("EC_Cluster", "ESC_cluster_membership");
  gw::Registration ignored;
  const auto impatient =
      gatewayStub_->Register(contextWithDeadline(500ms).get(), request, &ignored);
  EXPECT_EQ(impatient.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  slow.join();
  gw::Registration fetched;
  EXPECT_TRUE(getRegistration("slow", &fetched).ok());
  EXPECT_EQ(getRegistration("impatient", &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
  gw::ListRegistrationsResponse list;
  ASSERT_TRUE(gatewayStub_->ListRegistrations(contextWithDeadline().get(), {}, &list).ok());
  EXPECT_EQ(list.registrations_size(), 1);
}

TEST_F(GatewayRpcTest, DeadServerIsConnectionRefused) {
  // Port 1 on loopback: nothing listens there without root services; refused at once.
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "10m"}, "127.0.0.1:1"));
  expectErrorInfo(registerTypes("nobody", {eventType("EC_Cluster")}), grpc::StatusCode::UNAVAILABLE,
                  "CRNP_CONNECTION_REFUSED");
  gw::ListRegistrationsResponse list;
  ASSERT_TRUE(gatewayStub_->ListRegistrations(contextWithDeadline().get(), {}, &list).ok());
  EXPECT_EQ(list.registrations_size(), 0);
}

}  // namespace
}  // namespace crnp::integration
