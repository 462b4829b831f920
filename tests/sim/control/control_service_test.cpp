// SimControl through a real gRPC server on 127.0.0.1:0: every RPC, its error codes, hostile
// arguments, and what registered CRNP clients (hand-written XML, raw sockets) receive.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "control_fixture.hpp"
#include "crnp_test_client.hpp"
#include "eventually.hpp"
#include "raw_callback_receiver.hpp"

namespace crnp::sim::testing {
namespace {

using crnp::test::eventually;
using crnp_test::RawCallbackReceiver;

TEST_F(ControlServiceTest, GetClusterDescribesTheInitialCluster) {
  const auto view = cluster();
  ASSERT_EQ(view.nodes_size(), 3);
  EXPECT_EQ(view.nodes(0).name(), "phys-node-1");
  EXPECT_EQ(view.nodes(0).incarnation(), 1);
  EXPECT_EQ(view.nodes(2).incarnation(), 3);
  ASSERT_EQ(view.resource_groups_size(), 2);
  const auto& group = view.resource_groups(1);
  EXPECT_EQ(group.name(), "app-rg-2");
  EXPECT_EQ(group.node_list_size(), 3);
  EXPECT_EQ(groupState(view, "app-rg-2", "phys-node-2"), "ONLINE");
  EXPECT_EQ(groupState(view, "app-rg-2", "phys-node-1"), "OFFLINE");
  ASSERT_EQ(group.resources_size(), 3);
  EXPECT_EQ(group.resources(2).name(), "app-rs-2-3");
  EXPECT_EQ(group.resources(2).node_states().at("phys-node-2"), "ONLINE");
  EXPECT_EQ(view.events_generated(), 0u);
}

TEST_F(ControlServiceTest, SetNodeStateTakesANodeOutAndBackIn) {
  v1::SetNodeStateRequest request;
  request.set_node("phys-node-2");
  request.set_up(false);
  v1::ClusterView view;
  ASSERT_TRUE(call(&Stub::SetNodeState, request, view).ok());
  EXPECT_EQ(incarnationOf(view, "phys-node-2"), -1);
  EXPECT_EQ(groupState(view, "app-rg-2", "phys-node-3"), "ONLINE") << "failed over";
  EXPECT_GT(view.events_generated(), 1u);

  const auto again = call(&Stub::SetNodeState, request, view);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << again.error_message();

  request.set_up(true);
  ASSERT_TRUE(call(&Stub::SetNodeState, request, view).ok());
  EXPECT_GT(incarnationOf(view, "phys-node-2"), 3);

  request.set_node("phys-node-7");
  const auto unknown = call(&Stub::SetNodeState, request, view);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("phys-node-7"), std::string::npos);
  request.set_node("");
  EXPECT_EQ(call(&Stub::SetNodeState, request, view).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Names come from clients; an error quotes at most crnp::kMaxEchoBytes of one, so a reply never
// outgrows a client's metadata limit (which would take the client's whole connection down).
TEST_F(ControlServiceTest, ErrorsQuoteAtMostABoundedPartOfAName) {
  v1::SetNodeStateRequest request;
  request.set_node(std::string(8000, 'n'));
  request.set_up(false);
  v1::ClusterView view;
  const auto unknown = call(&Stub::SetNodeState, request, view);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LT(unknown.error_message().size(), 400u);
  EXPECT_NE(unknown.error_message().find("truncated, 8000 bytes"), std::string::npos);
  v1::SwitchResourceGroupRequest group;
  group.set_resource_group(std::string(8000, 'g'));
  group.set_node("phys-node-1");
  const auto noGroup = call(&Stub::SwitchResourceGroup, group, view);
  EXPECT_EQ(noGroup.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LT(noGroup.error_message().size(), 400u);
  // The same channel still works.
  request.set_node("phys-node-2");
  EXPECT_TRUE(call(&Stub::SetNodeState, request, view).ok());
}

TEST_F(ControlServiceTest, SwitchResourceGroupMovesTheGroup) {
  v1::SwitchResourceGroupRequest request;
  request.set_resource_group("app-rg-1");
  request.set_node("phys-node-3");
  v1::ClusterView view;
  ASSERT_TRUE(call(&Stub::SwitchResourceGroup, request, view).ok());
  EXPECT_EQ(groupState(view, "app-rg-1", "phys-node-3"), "ONLINE");
  EXPECT_EQ(groupState(view, "app-rg-1", "phys-node-1"), "OFFLINE");

  request.set_resource_group("db-rg");
  EXPECT_EQ(call(&Stub::SwitchResourceGroup, request, view).error_code(),
            grpc::StatusCode::NOT_FOUND);
  request.set_resource_group("app-rg-1");
  request.set_node("nowhere");
  EXPECT_EQ(call(&Stub::SwitchResourceGroup, request, view).error_code(),
            grpc::StatusCode::NOT_FOUND);
  request.set_node("");
  EXPECT_EQ(call(&Stub::SwitchResourceGroup, request, view).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::SetNodeStateRequest down;
  down.set_node("phys-node-2");
  ASSERT_TRUE(call(&Stub::SetNodeState, down, view).ok());
  request.set_node("phys-node-2");
  const auto toDownNode = call(&Stub::SwitchResourceGroup, request, view);
  EXPECT_EQ(toDownNode.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(toDownNode.error_message().find("down"), std::string::npos);
}

TEST_F(ControlServiceTest, FailResourceFaultsTheGroup) {
  v1::FailResourceRequest request;
  request.set_resource("app-rs-1-2");
  request.set_node("phys-node-1");
  request.set_kind(v1::FailResourceRequest::MONITOR_FAILED);
  v1::ClusterView view;
  ASSERT_TRUE(call(&Stub::FailResource, request, view).ok());
  EXPECT_EQ(groupState(view, "app-rg-1", "phys-node-1"), "ONLINE_FAULTED");
  EXPECT_EQ(view.resource_groups(0).resources(1).node_states().at("phys-node-1"), "MONITOR_FAILED");

  request.set_resource("app-rs-2-1");  // online on phys-node-2, not 1
  EXPECT_EQ(call(&Stub::FailResource, request, view).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  request.set_resource("app-rs-9-9");
  EXPECT_EQ(call(&Stub::FailResource, request, view).error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_resource("app-rs-2-1");
  request.set_node("phys-node-2");
  request.set_kind(static_cast<v1::FailResourceRequest::Kind>(7));  // unknown on the wire
  EXPECT_EQ(call(&Stub::FailResource, request, view).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_kind(v1::FailResourceRequest::START_FAILED);
  ASSERT_TRUE(call(&Stub::FailResource, request, view).ok());
  EXPECT_EQ(groupState(view, "app-rg-2", "phys-node-3"), "ONLINE") << "failed over";
  EXPECT_EQ(view.resource_groups(1).resources(0).node_states().at("phys-node-2"), "START_FAILED");
}

TEST_F(ControlServiceTest, RegisteredClientsGetSnapshotsEmittedEventsAndCounters) {
  RawCallbackReceiver receiver;
  const auto reply = crnp_test::exchange(
      crnpPort(), crnp_test::registration(
                      receiver.port(), "ADD_CLIENT",
                      crnp_test::subscribeMembership() + crnp_test::subscribeGroup("app-rg-1")));
  ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  ASSERT_TRUE(receiver.waitForConnections(2)) << "one snapshot per registered type";

  v1::EmitEventRequest emit;
  emit.set_subclass("ESC_cluster_membership");
  auto* names = emit.add_nvpairs();
  names->set_name("node_list");
  names->add_values("phys-node-1");
  auto* states = emit.add_nvpairs();
  states->set_name("state_list");
  states->add_values("42");
  v1::EmitEventResponse emitted;
  ASSERT_TRUE(call(&Stub::EmitEvent, emit, emitted).ok());
  EXPECT_EQ(emitted.clients_matched(), 1u);
  EXPECT_EQ(emitted.sequence(), 1u);
  ASSERT_TRUE(receiver.waitForConnections(3));
  const auto event = receiver.connections()[2].bytes;
  EXPECT_NE(event.find("42"), std::string::npos) << event;
  EXPECT_EQ(crnp_test::attributeOf(event, "VENDOR"), "SUNW") << "the simulator's vendor";
  EXPECT_EQ(crnp_test::attributeOf(event, "PUBLISHER"), "rgm");

  v1::ListClientsResponse clients;
  ASSERT_TRUE(eventually([&] {
    return call(&Stub::ListClients, v1::ListClientsRequest{}, clients).ok() &&
           clients.clients_size() == 1 && clients.clients(0).delivered() >= 3;
  })) << clients.DebugString();
  const auto& client = clients.clients(0);
  EXPECT_EQ(client.address(), "127.0.0.1:" + std::to_string(receiver.port()));
  ASSERT_EQ(client.event_types_size(), 2);
  EXPECT_EQ(client.event_types(0).subclass(), "ESC_cluster_membership");
  ASSERT_EQ(client.event_types(1).nvpairs_size(), 1);
  EXPECT_EQ(client.event_types(1).nvpairs(0).name(), "rg_name");
  EXPECT_EQ(client.event_types(1).nvpairs(0).values(0), "app-rg-1");
  EXPECT_EQ(client.failed_attempts(), 0u);
}

TEST_F(ControlServiceTest, AnOperationsEventsReachAClientInGenerationOrder) {
  RawCallbackReceiver receiver;
  const auto reply = crnp_test::exchange(
      crnpPort(),
      crnp_test::registration(receiver.port(), "ADD_CLIENT", crnp_test::subscribeAll()));
  ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  v1::SwitchResourceGroupRequest request;
  request.set_resource_group("app-rg-2");
  request.set_node("phys-node-1");
  v1::ClusterView view;
  ASSERT_TRUE(call(&Stub::SwitchResourceGroup, request, view).ok());
  const auto generated = view.events_generated();
  ASSERT_EQ(generated, 16u) << "3 resources: 2 + 3*2 stopping, 2 + 3*2 starting";

  const std::regex sequencePair(R"(ev_sequence[\s\S]*?<VALUE>\s*(?:<!\[CDATA\[)?(\d+))");
  std::vector<unsigned long> sequence;
  ASSERT_TRUE(eventually([&] {
    sequence.clear();
    for (const auto& connection : receiver.connections()) {
      std::smatch match;
      if (std::regex_search(connection.bytes, match, sequencePair)) {
        sequence.push_back(std::stoul(match[1]));
      }
    }
    return sequence.size() == generated;
  })) << sequence.size();
  for (std::size_t i = 0; i < sequence.size(); ++i) EXPECT_EQ(sequence[i], i + 1);
}

// Emission stamps (--stamp-emission): every emitted event, an operation's and an EmitEvent's,
// carries its publication time; without the option none does (tested above: the events are
// exactly the protocol's).
class StampedControlServiceTest : public ControlServiceTest {
 protected:
  void SetUp() override {
    auto config = controlTestConfig();
    config.stampEmission = true;
    startAll(config);
  }
};

TEST_F(StampedControlServiceTest, EmittedEventsCarryTheirPublicationTime) {
  RawCallbackReceiver receiver;
  const auto reply = crnp_test::exchange(
      crnpPort(),
      crnp_test::registration(receiver.port(), "ADD_CLIENT", crnp_test::subscribeAll()));
  ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  const auto before = std::chrono::system_clock::now();
  v1::SwitchResourceGroupRequest request;
  request.set_resource_group("app-rg-1");
  request.set_node("phys-node-2");
  v1::ClusterView view;
  ASSERT_TRUE(call(&Stub::SwitchResourceGroup, request, view).ok());
  v1::EmitEventRequest emit;
  emit.set_subclass("ESC_x");
  emit.add_nvpairs()->set_name("k");
  emit.mutable_nvpairs(0)->add_values("v");
  v1::EmitEventResponse emitted;
  ASSERT_TRUE(call(&Stub::EmitEvent, emit, emitted).ok());
  const auto after = std::chrono::system_clock::now();

  const std::regex stampPair(R"(ev_emit_time_ns[\s\S]*?<VALUE>\s*(?:<!\[CDATA\[)?(\d+))");
  const auto nanos = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  };
  // The registration's current-state snapshots come first, unstamped; then the switchover's
  // events and the emitted one, each stamped with a time within the calls.
  const std::size_t emittedEvents = view.events_generated() + 1;
  std::vector<long long> stamps;
  std::size_t unstamped = 0;
  ASSERT_TRUE(eventually([&] {
    stamps.clear();
    unstamped = 0;
    for (const auto& connection : receiver.connections()) {
      std::smatch match;
      if (std::regex_search(connection.bytes, match, stampPair)) {
        stamps.push_back(std::stoll(match[1]));
      } else {
        EXPECT_TRUE(stamps.empty()) << "an unstamped event after emitted ones";
        ++unstamped;
      }
    }
    return stamps.size() == emittedEvents;
  })) << stamps.size();
  EXPECT_GE(unstamped, 3u) << "membership and group snapshots";
  for (const auto stamp : stamps) {
    EXPECT_GE(stamp, nanos(before));
    EXPECT_LE(stamp, nanos(after));
  }
  EXPECT_TRUE(std::is_sorted(stamps.begin(), stamps.end())) << "publication order";
}

TEST_F(ControlServiceTest, EmitEventRejectsEventsClientsCouldNotRead) {
  v1::EmitEventResponse response;
  v1::EmitEventRequest noSubclass;
  EXPECT_EQ(call(&Stub::EmitEvent, noSubclass, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::EmitEventRequest noValue;
  noValue.set_subclass("ESC_cluster_membership");
  noValue.add_nvpairs()->set_name("node_list");
  EXPECT_EQ(call(&Stub::EmitEvent, noValue, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::EmitEventRequest noName;
  noName.set_subclass("ESC_x");
  noName.add_nvpairs()->add_values("v");
  EXPECT_EQ(call(&Stub::EmitEvent, noName, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::EmitEventRequest control;
  control.set_subclass("ESC_x");
  auto* pair = control.add_nvpairs();
  pair->set_name("n");
  pair->add_values(std::string("a\0b", 3));
  const auto nul = call(&Stub::EmitEvent, control, response);
  EXPECT_EQ(nul.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(nul.error_message().find("control character"), std::string::npos);
  control.set_subclass("ESC\x01");
  EXPECT_EQ(call(&Stub::EmitEvent, control, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::EmitEventRequest huge;
  huge.set_subclass("ESC_x");
  for (int i = 0; i < 1001; ++i) {
    auto* p = huge.add_nvpairs();
    p->set_name("n" + std::to_string(i));
    p->add_values("v");
  }
  EXPECT_EQ(call(&Stub::EmitEvent, huge, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::EmitEventRequest large;
  large.set_subclass("ESC_x");
  auto* big = large.add_nvpairs();
  big->set_name("n");
  big->add_values(std::string(300 * 1024, 'x'));
  EXPECT_EQ(call(&Stub::EmitEvent, large, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // None of these counted as generated; a valid one with odd text still goes out.
  v1::EmitEventRequest odd;
  odd.set_event_class("EC_Other");
  odd.set_subclass("ESC_<&>\"'");
  auto* text = odd.add_nvpairs();
  text->set_name("msg");
  text->add_values("]]> & <tag> \t\n");
  ASSERT_TRUE(call(&Stub::EmitEvent, odd, response).ok());
  EXPECT_EQ(response.sequence(), 1u);
  EXPECT_EQ(response.clients_matched(), 0u);
}

TEST_F(ControlServiceTest, InjectedReplyCodesAnswerRegistrationsUntilUsedOrCleared) {
  RawCallbackReceiver receiver;
  const auto request =
      crnp_test::registration(receiver.port(), "ADD_CLIENT", crnp_test::subscribeMembership());
  v1::InjectFaultResponse injected;
  v1::InjectFaultRequest fault;
  fault.set_kind(v1::InjectFaultRequest::REPLY_CODE);
  fault.set_reply_code("RETRY");
  fault.set_count(1);
  ASSERT_TRUE(call(&Stub::InjectFault, fault, injected).ok());
  EXPECT_EQ(crnp_test::exchange(crnpPort(), request).statusCode(), "RETRY");
  EXPECT_EQ(crnp_test::exchange(crnpPort(), request).statusCode(), "OK") << "count was 1";

  fault.set_reply_code("LOW_RESOURCE");
  fault.set_count(0);  // until cleared
  ASSERT_TRUE(call(&Stub::InjectFault, fault, injected).ok());
  EXPECT_EQ(crnp_test::exchange(crnpPort(), request).statusCode(), "LOW_RESOURCE");
  EXPECT_EQ(crnp_test::exchange(crnpPort(), request).statusCode(), "LOW_RESOURCE");
  v1::ClearFaultsResponse cleared;
  ASSERT_TRUE(call(&Stub::ClearFaults, v1::ClearFaultsRequest{}, cleared).ok());
  EXPECT_EQ(crnp_test::exchange(crnpPort(), request).statusCode(), "OK");
}

TEST_F(ControlServiceTest, InjectFaultRejectsUnusableFaults) {
  v1::InjectFaultResponse response;
  v1::InjectFaultRequest fault;
  EXPECT_EQ(call(&Stub::InjectFault, fault, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "KIND_UNSPECIFIED";
  fault.set_kind(v1::InjectFaultRequest::REPLY_CODE);
  fault.set_reply_code("PLEASE_GO_AWAY");
  const auto unknownCode = call(&Stub::InjectFault, fault, response);
  EXPECT_EQ(unknownCode.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknownCode.error_message().find("PLEASE_GO_AWAY"), std::string::npos);
  fault.set_reply_code("");
  EXPECT_EQ(call(&Stub::InjectFault, fault, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  fault.set_kind(v1::InjectFaultRequest::DELAY_REPLY);
  EXPECT_EQ(call(&Stub::InjectFault, fault, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "delay_ms 0";
  fault.set_kind(static_cast<v1::InjectFaultRequest::Kind>(99));
  EXPECT_EQ(call(&Stub::InjectFault, fault, response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  for (auto kind :
       {v1::InjectFaultRequest::DROP_REPLY, v1::InjectFaultRequest::REFUSE_DELIVERY,
        v1::InjectFaultRequest::BLACKHOLE_DELIVERY, v1::InjectFaultRequest::FAIL_PERSIST}) {
    fault.set_kind(kind);
    EXPECT_TRUE(call(&Stub::InjectFault, fault, response).ok()) << kind;
  }
}

TEST_F(ControlServiceTest, ConcurrentCallsAllFinishAndLeaveAConsistentCluster) {
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        v1::SwitchResourceGroupRequest request;
        request.set_resource_group(i % 2 ? "app-rg-1" : "app-rg-2");
        request.set_node("phys-node-" + std::to_string(1 + (t + i) % 3));
        v1::ClusterView view;
        const auto status = call(&Stub::SwitchResourceGroup, request, view);
        (status.ok() ? ok : refused)++;
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(refused.load(), 0);
  const auto view = cluster();
  for (const auto& group : view.resource_groups()) {
    int online = 0;
    for (const auto& [node, state] : group.node_states()) online += state == "ONLINE";
    EXPECT_EQ(online, 1) << group.name();
  }
}

TEST_F(ControlServiceTest, OperationsAfterStopAreUnavailable) {
  simulator_->stop();
  v1::SetNodeStateRequest request;
  request.set_node("phys-node-1");
  v1::ClusterView view;
  EXPECT_EQ(call(&Stub::SetNodeState, request, view).error_code(), grpc::StatusCode::UNAVAILABLE);
  v1::EmitEventRequest emit;
  emit.set_subclass("ESC_cluster_membership");
  v1::EmitEventResponse emitted;
  EXPECT_EQ(call(&Stub::EmitEvent, emit, emitted).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(call(&Stub::GetCluster, v1::GetClusterRequest{}, view).ok()) << "reads still work";
}

}  // namespace
}  // namespace crnp::sim::testing
