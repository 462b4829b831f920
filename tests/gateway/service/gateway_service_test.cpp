// GatewayService through a real gRPC server on 127.0.0.1:0 and a generated stub: every unary
// RPC, its errors with the google.rpc details a client decodes, and Subscribe's routing; with
// grpc::GenericStub, requests no generated stub sends (bytes that do not parse).
#include "gateway_service.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "../registration/registration_fixture.hpp"
#include "event_hub.hpp"
#include "fake_upstream.hpp"
#include "gateway_service_harness.hpp"
#include "loopback_grpc_server.hpp"
#include "raw_grpc_call.hpp"
#include "serial_worker.hpp"
#include "status_details.hpp"
#include "status_mapping.hpp"
#include "subscription_manager.hpp"

namespace gateway::test {
namespace {

using std::chrono::system_clock;

crnp::Event rgEvent(const std::string& group, const std::string& state) {
  return {
      "1.0",  "EC_Cluster", "ESC_cluster_rg_state",
      "SUNW", "rgm",        {{"rg_name", {group}}, {"node_list", {"n1"}}, {"state_list", {state}}}};
}

crnp::Event membershipEvent() {
  return {"1.0",  "EC_Cluster", "ESC_cluster_membership",
          "ORCL", "rgm",        {{"node_list", {"n1", "n2"}}, {"state_list", {"3", "-1"}}}};
}

class GatewayServiceTest : public GatewayServiceHarness {
 protected:
  std::unique_ptr<grpc::ClientContext> context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(system_clock::now() + kDeadline);
    return context;
  }

  grpc::Status registerCall(const std::string& id, const Types& types,
                            pb::Registration* out = nullptr) {
    pb::Registration ignored;
    return stub_->Register(context().get(), registerRequest(id, types), out ? out : &ignored);
  }

  grpc::Status unregisterCall(const std::string& id, const Types& types,
                              pb::UnregisterResponse* out) {
    return stub_->Unregister(context().get(), unregisterRequest(id, types), out);
  }
};

constexpr const char* kMethodPrefix = "/crnp.gateway.v1.CrnpGateway/";

// An error quotes at most crnp::kMaxEchoBytes of what it was sent, so message and details stay far
// below a client's 8 KiB metadata limit whatever the request held.
void expectBounded(const grpc::Status& status) {
  EXPECT_LT(status.error_message().size(), 2 * crnp::kMaxEchoBytes) << status.error_message();
  EXPECT_LT(status.error_details().size(), 4 * crnp::kMaxEchoBytes);
}

// Requests of each method that are not its request message. A truncated copy of a real
// request (its last string cut short), random bytes, and a string field that is not UTF-8.
struct RawRequests {
  std::string method;
  std::string valid;    // serialized request the method accepts (may be empty)
  std::string notUtf8;  // empty: the message has no string field
};

std::vector<RawRequests> rawRequestsOfEveryMethod() {
  const std::string badId = std::string("\x0a\x03", 2) + "a\xc3\x28";  // field 1: "a" + invalid
  pb::GetClusterStateRequest state;
  addType(rgState("g"), state.add_event_types());
  pb::SubscribeRequest subscribe;
  subscribe.set_registration_id("live");
  return {
      {"Register", registerRequest("app", {membership()}).SerializeAsString(), badId},
      {"Unregister", unregisterRequest("app").SerializeAsString(), badId},
      {"GetRegistration",
       [] {
         pb::GetRegistrationRequest get;
         get.set_registration_id("app");
         return get.SerializeAsString();
       }(),
       badId},
      {"ListRegistrations", "", ""},
      // event_types[0].event_class not UTF-8
      {"GetClusterState", state.SerializeAsString(), std::string("\x0a\x04\x0a\x02\xc3\x28", 6)},
      {"Subscribe", subscribe.SerializeAsString(), badId},
  };
}

TEST_F(GatewayServiceTest, EveryRpcRefusesRequestsThatDoNotParse) {
  grpc::GenericStub generic(channel_);
  for (const auto& method : rawRequestsOfEveryMethod()) {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"runaway varint", std::string(11, '\xff')},
        {"wire type 7", std::string("\x07", 1)},
        {"length beyond the end", std::string("\x0a\x05\x61\x62", 4)},  // 5 bytes of "ab"
    };
    if (!method.valid.empty()) {
      cases.emplace_back("truncated request", method.valid.substr(0, method.valid.size() - 1));
    }
    if (!method.notUtf8.empty()) cases.emplace_back("string not UTF-8", method.notUtf8);
    for (const auto& [what, bytes] : cases) {
      SCOPED_TRACE(method.method + ", " + what);
      const auto result =
          crnp::testing::callWithRawBytes(generic, kMethodPrefix + method.method, bytes);
      EXPECT_TRUE(result.responses.empty());
      EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      const auto details = parseStatusDetails(result.status);
      ASSERT_TRUE(details.errorInfo);
      EXPECT_EQ(details.status.message(), result.status.error_message());
      EXPECT_EQ(details.errorInfo->reason(), "MALFORMED_REQUEST");
      EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
      const std::string type = "crnp.gateway.v1." + method.method + "Request";
      EXPECT_EQ(details.errorInfo->metadata().at("message_type"), type);
      EXPECT_NE(result.status.error_message().find(type), std::string::npos);
    }
  }
  EXPECT_EQ(upstream_.callCount(), 0u);
  EXPECT_EQ(registry_->size(), 0u);

  // The same raw path serves requests that parse (unknown fields are kept, not refused).
  const auto listed = crnp::testing::callWithRawBytes(
      generic, std::string(kMethodPrefix) + "ListRegistrations", std::string("\x78\x01", 2));
  EXPECT_TRUE(listed.status.ok()) << listed.status.error_message();
  EXPECT_EQ(listed.responses.size(), 1u);
}

TEST_F(GatewayServiceTest, OverlongIdIsInvalidArgumentWithABoundedError) {
  const std::string huge(8000, 'x');
  pb::GetRegistrationRequest get;
  get.set_registration_id(huge);
  pb::Registration ignored;
  const auto fetched = stub_->GetRegistration(context().get(), get, &ignored);
  pb::UnregisterResponse removed;
  const auto unregistered = unregisterCall(huge, {}, &removed);
  const auto registered = registerCall(huge, {membership()});

  pb::SubscribeRequest subscribe;
  subscribe.set_registration_id(huge);
  auto ctx = context();
  auto reader = stub_->Subscribe(ctx.get(), subscribe);
  pb::SubscribeResponse response;
  EXPECT_FALSE(reader->Read(&response));
  const auto subscribed = reader->Finish();

  for (const auto& status : {fetched, unregistered, registered, subscribed}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(reasonOf(status), "INVALID_REGISTRATION_ID");
    expectBounded(status);
  }
  EXPECT_EQ(upstream_.callCount(), 0u);
}

TEST_F(GatewayServiceTest, NotFoundQuotesTheIdWithinTheBound) {
  const std::string id(128, 'n');  // the longest valid id
  pb::GetRegistrationRequest get;
  get.set_registration_id(id);
  pb::Registration ignored;
  const auto fetched = stub_->GetRegistration(context().get(), get, &ignored);
  pb::UnregisterResponse removed;
  const auto unregistered = unregisterCall(id, {}, &removed);

  pb::SubscribeRequest subscribe;
  subscribe.set_registration_id(id);
  auto ctx = context();
  auto reader = stub_->Subscribe(ctx.get(), subscribe);
  pb::SubscribeResponse response;
  EXPECT_FALSE(reader->Read(&response));
  const auto subscribed = reader->Finish();

  for (const auto& status : {fetched, unregistered, subscribed}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
    const auto details = parseStatusDetails(status);
    ASSERT_TRUE(details.errorInfo);
    EXPECT_EQ(details.errorInfo->reason(), "REGISTRATION_NOT_FOUND");
    EXPECT_EQ(details.errorInfo->metadata().at("registration_id"), id);
    EXPECT_NE(status.error_message().find(id), std::string::npos);
    expectBounded(status);
  }
}

TEST_F(GatewayServiceTest, EmptyGroupOrResourceNameIsInvalidArgument) {
  const auto group =
      registerCall("a", {{"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {""}}}}});
  EXPECT_EQ(group.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reasonOf(group), "INVALID_EVENT_TYPE");
  const auto resource =
      registerCall("a", {{"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {""}}}}});
  EXPECT_EQ(resource.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reasonOf(resource), "INVALID_EVENT_TYPE");
  EXPECT_EQ(upstream_.callCount(), 0u);
}

TEST_F(GatewayServiceTest, RegisterGetListUnregister) {
  pb::Registration created;
  ASSERT_TRUE(registerCall("app", {membership(), rgState("g")}, &created).ok());
  EXPECT_EQ(created.registration_id(), "app");
  EXPECT_EQ(typesOf(created), (Types{membership(), rgState("g")}));
  EXPECT_GT(created.create_time().seconds(), 0);

  pb::GetRegistrationRequest get;
  get.set_registration_id("app");
  pb::Registration fetched;
  ASSERT_TRUE(stub_->GetRegistration(context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  pb::Registration generated;
  ASSERT_TRUE(registerCall("", {rgState("h")}, &generated).ok());
  EXPECT_EQ(generated.registration_id().size(), 32u);

  pb::ListRegistrationsResponse list;
  ASSERT_TRUE(stub_->ListRegistrations(context().get(), {}, &list).ok());
  EXPECT_EQ(list.registrations_size(), 2);

  pb::UnregisterResponse partial;
  ASSERT_TRUE(unregisterCall("app", {rgState("g")}, &partial).ok());
  EXPECT_FALSE(partial.removed());
  EXPECT_EQ(typesOf(partial.registration()), Types{membership()});

  pb::UnregisterResponse whole;
  ASSERT_TRUE(unregisterCall("app", {}, &whole).ok());
  EXPECT_TRUE(whole.removed());

  const auto missing = stub_->GetRegistration(context().get(), get, &fetched);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reasonOf(missing), "REGISTRATION_NOT_FOUND");
  EXPECT_EQ(upstream_.calls().back(), Types{rgState("h")});
}

TEST_F(GatewayServiceTest, ClientSeesErrorDetails) {
  const auto invalid = registerCall("a", {{"EC_Cluster", "ESC_cluster_rg_state", {}}});
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto details = parseStatusDetails(invalid);
  ASSERT_TRUE(details.parsed);
  EXPECT_EQ(details.status.code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(details.status.message(), invalid.error_message());
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.errorInfo->reason(), "INVALID_EVENT_TYPE");
  EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");

  upstream_.script(
      FakeUpstream::reply(crnp::StatusCode::LowResource, "too many clients", "cluster:9444"));
  const auto refused = registerCall("a", {membership()});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  details = parseStatusDetails(refused);
  ASSERT_TRUE(details.errorInfo);
  EXPECT_EQ(details.errorInfo->reason(), "CRNP_LOW_RESOURCE");
  EXPECT_EQ(details.errorInfo->metadata().at("crnp_status"), "LOW_RESOURCE");
  EXPECT_EQ(details.errorInfo->metadata().at("crnp_message"), "too many clients");
  EXPECT_EQ(details.errorInfo->metadata().at("crnp_server"), "cluster:9444");
  ASSERT_TRUE(details.retryInfo);
  EXPECT_GT(details.retryInfo->retry_delay().seconds(), 0);

  pb::UnregisterResponse response;
  const auto unknown = unregisterCall("a", {}, &response);  // the failed Register left nothing
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reasonOf(unknown), "REGISTRATION_NOT_FOUND");

  pb::GetRegistrationRequest get;
  get.set_registration_id("no/slashes");
  pb::Registration ignored;
  EXPECT_EQ(reasonOf(stub_->GetRegistration(context().get(), get, &ignored)),
            "INVALID_REGISTRATION_ID");
}

TEST_F(GatewayServiceTest, PendingRegisterBlocksNoOtherCall) {
  upstream_.hold(true);
  auto pending =
      std::async(std::launch::async, [this] { return registerCall("slow", {membership()}); });
  ASSERT_TRUE(upstream_.waitForCalls(1));
  // While the upstream has not answered, other RPCs are served.
  for (int i = 0; i < 5; ++i) {
    pb::ListRegistrationsResponse list;
    ASSERT_TRUE(stub_->ListRegistrations(context().get(), {}, &list).ok());
    EXPECT_EQ(list.registrations_size(), 0);
  }
  EXPECT_EQ(pending.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  ASSERT_EQ(pending.wait_for(kDeadline), std::future_status::ready);
  EXPECT_TRUE(pending.get().ok());
}

TEST_F(GatewayServiceTest, ClusterStateShowsLatestEventsAndUpstreamHealth) {
  UpstreamHealth health;
  health.healthy = true;
  health.server = "cluster:9444";
  health.lastRegistered = system_clock::time_point(std::chrono::seconds(1'700'000'123));
  health.eventsReceived = 4;
  upstream_.setHealth(health);
  const auto received = system_clock::time_point(std::chrono::seconds(1'700'000'200));
  hub_.ingest(rgEvent("g1", "OFFLINE"), received);
  hub_.ingest(membershipEvent(), received);
  hub_.ingest(rgEvent("g2", "ONLINE"), received);
  hub_.ingest(rgEvent("g1", "ONLINE"), received);  // replaces g1's OFFLINE

  pb::ClusterState state;
  ASSERT_TRUE(stub_->GetClusterState(context().get(), {}, &state).ok());
  ASSERT_EQ(state.events_size(), 3);
  EXPECT_TRUE(state.events(0).has_membership());
  EXPECT_EQ(state.events(1).resource_group().group(), "g2");
  EXPECT_EQ(state.events(2).resource_group().group(), "g1");
  EXPECT_EQ(state.events(2).resource_group().node_states().at("n1"), "ONLINE");
  EXPECT_EQ(state.events(2).sequence(), 4u);
  EXPECT_FALSE(state.events(2).snapshot());
  EXPECT_EQ(state.events(2).received_time().seconds(), 1'700'000'200);
  EXPECT_TRUE(state.upstream().healthy());
  EXPECT_EQ(state.upstream().server(), "cluster:9444");
  EXPECT_EQ(state.upstream().last_registered().seconds(), 1'700'000'123);
  EXPECT_EQ(state.upstream().events_received(), 4u);

  pb::GetClusterStateRequest filtered;
  addType(rgState("g1"), filtered.add_event_types());
  pb::ClusterState only;
  ASSERT_TRUE(stub_->GetClusterState(context().get(), filtered, &only).ok());
  ASSERT_EQ(only.events_size(), 1);
  EXPECT_EQ(only.events(0).resource_group().group(), "g1");

  pb::GetClusterStateRequest bad;
  addType({"", "", {}}, bad.add_event_types());
  const auto invalid = stub_->GetClusterState(context().get(), bad, &only);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reasonOf(invalid), "INVALID_EVENT_TYPE");
}

TEST_F(GatewayServiceTest, SubscribeIsRoutedAndUnregisterEndsTheStream) {
  {
    pb::SubscribeRequest request;
    request.set_registration_id("nobody");
    auto ctx = context();
    auto reader = stub_->Subscribe(ctx.get(), request);
    pb::SubscribeResponse response;
    EXPECT_FALSE(reader->Read(&response));
    const auto status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(reasonOf(status), "REGISTRATION_NOT_FOUND");
  }
  hub_.ingest(membershipEvent(), system_clock::now());
  ASSERT_TRUE(registerCall("live", {membership()}).ok());
  pb::SubscribeRequest request;
  request.set_registration_id("live");
  auto ctx = context();
  auto reader = stub_->Subscribe(ctx.get(), request);
  pb::SubscribeResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_TRUE(response.event().snapshot());
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_TRUE(response.has_snapshot_end());

  pb::UnregisterResponse removed;
  ASSERT_TRUE(unregisterCall("live", {}, &removed).ok());  // the observer tells the streams
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace gateway::test
