// GatewayService with a TokenCallAuthorizer, through a real gRPC server on loopback: each RPC
// is checked once, before its request is parsed or anything is changed or streamed.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "../registration/registration_fixture.hpp"
#include "call_authorizer.hpp"
#include "event_hub.hpp"
#include "fake_upstream.hpp"
#include "gateway_service.hpp"
#include "gateway_service_harness.hpp"
#include "loopback_grpc_server.hpp"
#include "raw_grpc_call.hpp"
#include "serial_worker.hpp"
#include "status_details.hpp"
#include "subscription_manager.hpp"

namespace gateway::test {
namespace {

using std::chrono::system_clock;

const std::string kRead = "read-0123456789abcdef";
const std::string kWrite = "write-0123456789abcdef";

// The tokens are members of a base that is built before the harness, which takes the
// authorizer by reference.
struct AuthTokens {
  auth::TokenStore tokens_{
      auth::TokenSet::parse(kRead + " dashboards read\n" + kWrite + " ops write\n").tokens};
  auth::TokenCallAuthorizer authorizer_{tokens_, auth::AccessPolicy()};
};

class GatewayServiceAuthTest : private AuthTokens, public GatewayServiceHarness {
 protected:
  GatewayServiceAuthTest() : GatewayServiceHarness(authorizer_) {}

  static std::unique_ptr<grpc::ClientContext> context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(system_clock::now() + kDeadline);
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  grpc::Status registerAs(const std::string& token, const std::string& id) {
    pb::Registration ignored;
    return stub_->Register(context(token).get(), registerRequest(id, {membership()}), &ignored);
  }
};

void expectReason(const grpc::Status& status, grpc::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  const auto details = parseStatusDetails(status);
  ASSERT_TRUE(details.errorInfo) << status.error_message();
  EXPECT_EQ(details.errorInfo->reason(), reason);
}

TEST_F(GatewayServiceAuthTest, ReadTokenReadsAndCannotChange) {
  ASSERT_TRUE(registerAs(kWrite, "app").ok());
  EXPECT_EQ(upstream_.callCount(), 1u);
  expectReason(registerAs(kRead, "other"), grpc::StatusCode::PERMISSION_DENIED,
               "ROLE_INSUFFICIENT");
  pb::UnregisterResponse removed;
  expectReason(stub_->Unregister(context(kRead).get(), unregisterRequest("app"), &removed),
               grpc::StatusCode::PERMISSION_DENIED, "ROLE_INSUFFICIENT");
  EXPECT_EQ(upstream_.callCount(), 1u) << "nothing refused reached the upstream";

  pb::ListRegistrationsResponse list;
  ASSERT_TRUE(stub_->ListRegistrations(context(kRead).get(), {}, &list).ok());
  EXPECT_EQ(list.registrations_size(), 1);
  pb::ClusterState state;
  EXPECT_TRUE(stub_->GetClusterState(context(kRead).get(), {}, &state).ok());
  pb::GetRegistrationRequest get;
  get.set_registration_id("app");
  pb::Registration fetched;
  EXPECT_TRUE(stub_->GetRegistration(context(kRead).get(), get, &fetched).ok());

  pb::SubscribeRequest subscribe;
  subscribe.set_registration_id("app");
  auto streamContext = context(kRead);
  auto reader = stub_->Subscribe(streamContext.get(), subscribe);
  pb::SubscribeResponse first;
  ASSERT_TRUE(reader->Read(&first)) << "a read token may subscribe";
  EXPECT_TRUE(first.has_snapshot_end()) << first.DebugString();
  streamContext->TryCancel();
}

TEST_F(GatewayServiceAuthTest, SubscribeWithoutTokenEndsBeforeAnyMessage) {
  ASSERT_TRUE(registerAs(kWrite, "app").ok());
  for (const std::string& token : {std::string(), std::string("unknown-token-0123456789")}) {
    SCOPED_TRACE(token);
    pb::SubscribeRequest subscribe;
    subscribe.set_registration_id("app");
    auto streamContext = context(token);
    auto reader = stub_->Subscribe(streamContext.get(), subscribe);
    pb::SubscribeResponse message;
    EXPECT_FALSE(reader->Read(&message)) << message.DebugString();
    expectReason(reader->Finish(), grpc::StatusCode::UNAUTHENTICATED,
                 token.empty() ? "TOKEN_MISSING" : "TOKEN_INVALID");
  }
  EXPECT_EQ(subscriptions_.activeStreams(), 0u);
}

// The check comes before parsing: bytes that are not a request get UNAUTHENTICATED without a
// token (the caller learns nothing about the request), MALFORMED_REQUEST with one.
TEST_F(GatewayServiceAuthTest, EveryRpcIsCheckedBeforeItsRequestIsParsed) {
  grpc::GenericStub generic(channel_);
  for (const auto* method : {"Register", "Unregister", "GetRegistration", "ListRegistrations",
                             "GetClusterState", "Subscribe"}) {
    SCOPED_TRACE(method);
    const std::string path = std::string("/crnp.gateway.v1.CrnpGateway/") + method;
    const std::string garbage("\xff\xff\xff", 3);
    expectReason(crnp::testing::callWithRawBytes(generic, path, garbage).status,
                 grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING");
    expectReason(crnp::testing::callWithRawBytes(generic, path, garbage, kDeadline,
                                                 {{"authorization", "Bearer " + kWrite}})
                     .status,
                 grpc::StatusCode::INVALID_ARGUMENT, "MALFORMED_REQUEST");
  }
}

}  // namespace
}  // namespace gateway::test
