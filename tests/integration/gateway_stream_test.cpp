// Subscribe over real processes: snapshot, live events, resume, reset, heartbeats, a slow
// subscriber cut off beside a fast one, and hostile requests beside a live stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gateway_process_fixture.hpp"
#include "raw_grpc_call.hpp"
#include "status_details.hpp"

namespace crnp::integration {
namespace {

class GatewayStreamTest : public GatewayProcessFixture {
 protected:
  /// Reads the snapshot up to snapshot_end; returns the resume token of snapshot_end.
  std::string readSnapshot(StreamReader& stream, std::size_t* eventCount = nullptr) {
    std::size_t events = 0;
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      if (!message) {
        ADD_FAILURE() << "no snapshot_end; stream status: "
                      << (stream.finish(0ms) ? stream.finish(0ms)->error_message() : "open");
        return "";
      }
      if (message->has_snapshot_end()) {
        EXPECT_EQ(message->snapshot_end().event_count(), events);
        EXPECT_FALSE(message->resume_token().empty());
        if (eventCount) *eventCount = events;
        return message->resume_token();
      }
      EXPECT_TRUE(message->has_event()) << message->DebugString();
      EXPECT_TRUE(message->event().snapshot()) << message->DebugString();
      ++events;
    }
  }

  /// Reads events until one carries `lastMarker`; returns the markers seen in order.
  std::vector<std::string> readMarkersUntil(StreamReader& stream, const std::string& lastMarker,
                                            std::string* lastToken = nullptr) {
    std::vector<std::string> markers;
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      if (!message) {
        ADD_FAILURE() << "stream ended or stalled before " << lastMarker;
        return markers;
      }
      if (!message->has_event()) {
        ADD_FAILURE() << "unexpected " << message->DebugString();
        return markers;
      }
      if (lastToken) *lastToken = message->resume_token();
      const std::string marker = markerOf(message->event());
      if (marker.empty()) continue;  // a cluster event not caused by this test
      markers.push_back(marker);
      if (marker == lastMarker) return markers;
    }
  }

  void registerAll(const std::string& id) {
    ASSERT_TRUE(registerTypes(id, {eventType("EC_Cluster")}).ok());
  }
};

TEST_F(GatewayStreamTest, SnapshotThenLiveEvents) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_NO_FATAL_FAILURE(registerAll("watcher"));
  emitMarked("seed");
  // The simulator answers a registration with current-state events, then delivers "seed" in
  // order after them: once the gateway holds "seed", the snapshot has all of them and no
  // earlier event can still arrive live.
  ASSERT_TRUE(test::eventually(
      [&] {
        gw::ClusterState state;
        if (!gatewayStub_->GetClusterState(contextWithDeadline().get(), {}, &state).ok()) {
          return false;
        }
        return std::any_of(state.events().begin(), state.events().end(),
                           [](const gw::ClusterEvent& event) { return markerOf(event) == "seed"; });
      },
      kConvergeDeadline));

  auto stream = subscribe("watcher");
  std::size_t snapshotEvents = 0;
  readSnapshot(*stream, &snapshotEvents);
  EXPECT_GT(snapshotEvents, 0u);

  emitMarked("live-1");
  sim::SetNodeStateRequest down;
  down.set_node("phys-node-3");
  down.set_up(false);
  sim::ClusterView view;
  ASSERT_TRUE(control_->SetNodeState(contextWithDeadline().get(), down, &view).ok());
  emitMarked("live-2");

  bool sawMembership = false;
  std::uint64_t lastSequence = 0;
  std::vector<std::string> markers;
  while (markers.size() < 2) {
    auto message = stream->nextNonHeartbeat();
    ASSERT_TRUE(message) << "live events stalled";
    ASSERT_TRUE(message->has_event()) << message->DebugString();
    const auto& event = message->event();
    EXPECT_FALSE(event.snapshot());
    EXPECT_GT(event.sequence(), lastSequence);
    lastSequence = event.sequence();
    if (event.has_membership()) {
      for (const auto& node : event.membership().nodes()) {
        if (node.node() == "phys-node-3" && !node.member()) sawMembership = true;
      }
    }
    if (!markerOf(event).empty()) markers.push_back(markerOf(event));
  }
  EXPECT_EQ(markers, (std::vector<std::string>{"live-1", "live-2"}));
  EXPECT_TRUE(sawMembership) << "SetNodeState's membership event arrives between the markers";
}

TEST_F(GatewayStreamTest, ResumeContinuesWithoutLossOrDuplicates) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_NO_FATAL_FAILURE(registerAll("resumer"));
  std::string token;
  {
    auto stream = subscribe("resumer");
    readSnapshot(*stream);
    emitMarked("before");
    readMarkersUntil(*stream, "before", &token);
  }  // the client goes away
  ASSERT_FALSE(token.empty());
  for (const char* marker : {"gap-1", "gap-2", "gap-3"}) emitMarked(marker);

  auto resumed = subscribe("resumer", token);
  auto first = resumed->nextNonHeartbeat();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->has_event()) << "a resume has no snapshot: " << first->DebugString();
  EXPECT_FALSE(first->event().snapshot());
  std::vector<std::string> markers{markerOf(first->event())};
  if (markers.front() != "gap-3") {
    auto rest = readMarkersUntil(*resumed, "gap-3");
    markers.insert(markers.end(), rest.begin(), rest.end());
  }
  EXPECT_EQ(markers, (std::vector<std::string>{"gap-1", "gap-2", "gap-3"}));
}

TEST_F(GatewayStreamTest, EvictedOrForeignTokenGetsResetAndFreshSnapshot) {
  ASSERT_NO_FATAL_FAILURE(startBoth({"--ring-events", "2"}));
  ASSERT_NO_FATAL_FAILURE(registerAll("late"));
  std::string token;
  {
    auto stream = subscribe("late");
    token = readSnapshot(*stream);
  }
  // More events than the ring holds: the token's position is gone.
  for (int i = 0; i < 6; ++i) emitMarked("evict-" + std::to_string(i));
  ASSERT_TRUE(test::eventually(
      [&] {
        gw::ClusterState state;
        gatewayStub_->GetClusterState(contextWithDeadline().get(), {}, &state);
        for (const auto& event : state.events()) {
          if (markerOf(event) == "evict-5") return true;
        }
        return false;
      },
      kConvergeDeadline));

  auto resumed = subscribe("late", token);
  auto first = resumed->nextNonHeartbeat();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->has_reset()) << first->DebugString();
  const std::string current = readSnapshot(*resumed);

  // The same position under another epoch ("<epoch hex>:<sequence>"): another gateway's token.
  ASSERT_FALSE(current.empty());
  std::string foreign = current;
  foreign[0] = foreign[0] == '0' ? '1' : '0';
  auto stranger = subscribe("late", foreign);
  auto answer = stranger->nextNonHeartbeat();
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->has_reset()) << answer->DebugString();
  readSnapshot(*stranger);
}

TEST_F(GatewayStreamTest, QuietStreamGetsHeartbeats) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_NO_FATAL_FAILURE(registerAll("quiet"));
  auto stream = subscribe("quiet", "", 200ms);
  readSnapshot(*stream);
  // Late current-state events of the registration may come first; three heartbeats must follow.
  for (int heartbeats = 0; heartbeats < 3;) {
    auto message = stream->next(10000ms);
    ASSERT_TRUE(message) << "no heartbeat";
    EXPECT_FALSE(message->resume_token().empty());
    if (message->has_heartbeat()) {
      ++heartbeats;
    } else {
      EXPECT_TRUE(message->has_event()) << message->DebugString();
    }
  }
}

TEST_F(GatewayStreamTest, SlowSubscriberIsCutOffBesideAFastOne) {
  ASSERT_NO_FATAL_FAILURE(startBoth({"--stream-queue-events", "64"}));
  ASSERT_NO_FATAL_FAILURE(registerAll("subscribers"));

  // The slow stream is never read until the end: HTTP/2 flow control fills, then its queue.
  auto slowStub = stallingStub();
  grpc::ClientContext slowContext;
  slowContext.set_deadline(std::chrono::system_clock::now() + 30s);
  gw::SubscribeRequest slowRequest;
  slowRequest.set_registration_id("subscribers");
  auto slow = slowStub->Subscribe(&slowContext, slowRequest);

  auto fast = subscribe("subscribers");
  readSnapshot(*fast);

  // Large events (15 KB) so that some megabytes outrun the transport's buffering.
  constexpr int kEvents = 200;
  const std::string bulk(3000, 'x');
  for (int i = 0; i < kEvents; ++i) {
    sim::EmitEventRequest request;
    request.set_subclass("ESC_cluster_test_marker");
    auto* marker = request.add_nvpairs();
    marker->set_name("marker");
    marker->add_values("bulk-" + std::to_string(i));
    auto* padding = request.add_nvpairs();
    padding->set_name("padding");
    for (int v = 0; v < 5; ++v) padding->add_values(bulk);
    sim::EmitEventResponse response;
    ASSERT_TRUE(control_->EmitEvent(contextWithDeadline().get(), request, &response).ok());
  }

  const auto markers = readMarkersUntil(*fast, "bulk-" + std::to_string(kEvents - 1));
  ASSERT_EQ(markers.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) EXPECT_EQ(markers[i], "bulk-" + std::to_string(i));

  gw::SubscribeResponse drained;
  while (slow->Read(&drained)) {
  }
  const grpc::Status slowStatus = slow->Finish();
  EXPECT_EQ(slowStatus.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << slowStatus.error_message();
  const auto details = ::gateway::test::parseStatusDetails(slowStatus);
  ASSERT_TRUE(details.errorInfo) << slowStatus.error_message();
  EXPECT_EQ(details.errorInfo->reason(), "SUBSCRIBER_TOO_SLOW");
}

// Before the fix, an 8,000-character id came back whole in a NOT_FOUND trailer over the client's
// 8 KiB metadata limit, and the client tore down the HTTP/2 connection with every stream on it.
// Now every error quotes a bounded prefix of the request; this checks it on ONE channel.
TEST_F(GatewayStreamTest, HostileRequestsLeaveOtherStreamsOnTheChannelAlive) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_NO_FATAL_FAILURE(registerAll("survivor"));

  auto channel = grpc::CreateChannel(gatewayAddress_, grpc::InsecureChannelCredentials());
  auto stub = gw::CrnpGateway::NewStub(channel);
  grpc::GenericStub generic(channel);
  gw::SubscribeRequest request;
  request.set_registration_id("survivor");
  StreamReader live(*stub, request);
  readSnapshot(live);

  auto expectRefused = [](const grpc::Status& status, const std::string& reason,
                          const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    const auto details = ::gateway::test::parseStatusDetails(status);
    ASSERT_TRUE(details.errorInfo) << status.error_message();
    EXPECT_EQ(details.errorInfo->reason(), reason);
    EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
    // A bounded prefix at most (256 bytes), far below the 8 KiB limit of the trailers.
    EXPECT_LT(status.error_message().size(), 512u);
    EXPECT_LT(status.error_details().size(), 1024u);
  };

  const std::string hugeId(8000, 'h');
  gw::SubscribeRequest hostile;
  hostile.set_registration_id(hugeId);
  {
    StreamReader refused(*stub, hostile);
    const auto status = refused.finish();
    ASSERT_TRUE(status);
    expectRefused(*status, "INVALID_REGISTRATION_ID", "Subscribe with an 8000-character id");
  }
  gw::GetRegistrationRequest get;
  get.set_registration_id(hugeId);
  gw::Registration ignored;
  expectRefused(stub->GetRegistration(contextWithDeadline().get(), get, &ignored),
                "INVALID_REGISTRATION_ID", "GetRegistration with an 8000-character id");

  const std::string garbage(64, '\xff');
  const std::string notUtf8 = std::string("\x0a\x04", 2) + "id\xc3\x28";  // field 1
  for (const char* method : {"Register", "GetRegistration", "Unregister", "Subscribe"}) {
    for (const auto& bytes : {garbage, notUtf8}) {
      const auto result = testing::callWithRawBytes(
          generic, std::string("/crnp.gateway.v1.CrnpGateway/") + method, bytes);
      EXPECT_TRUE(result.responses.empty());
      expectRefused(result.status, "MALFORMED_REQUEST", method);
    }
  }

  // The first stream outlived all of it, on the same connection.
  EXPECT_FALSE(live.finish(0ms)) << live.finish(0ms)->error_message();
  emitMarked("after-hostile");
  EXPECT_EQ(readMarkersUntil(live, "after-hostile"), (std::vector<std::string>{"after-hostile"}));
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
}

}  // namespace
}  // namespace crnp::integration
