// Subscribe under pressure and over time: slow subscribers, heartbeats, maximum stream age,
// shutdown, stream limit.
#include "subscribe_fixture.hpp"

namespace gateway::subscribe_test {
namespace {

// Its own connection, with HTTP/2 flow control that does not grow: a client that does not
// read stalls the server's writes after a few tens of kilobytes.
std::unique_ptr<pb::CrnpGateway::Stub> separateStub(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  return pb::CrnpGateway::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
}

// The fan-out fell behind its backlog bound (the gateway's fan-out thread starved): the stream
// is ended like a slow subscriber, at its last event, and its client's resume is reset to a
// snapshot (the ring no longer has what it missed).
TEST_F(SubscribeTest, FanoutBehindItsBacklogEndsTheStreamWithItsTokenAndResumeResets) {
  hubConfig_.ringCapacity = 3;
  hubConfig_.fanoutBacklogEvents = 3;
  fanoutSignal_ = [] {};
  startServer();
  registerTypes("r1", {kAllCluster});
  StreamClient client(*stub_, request("r1"));
  readSnapshot(client);
  ASSERT_TRUE(eventually([&] { return hub_->subscriberCount() == 1; }));
  ingest(rgEvent("a", "ONLINE"));  // 1
  hub_->deliverPending();
  std::string lastToken;
  ASSERT_EQ(readLive(client, 1, &lastToken), std::vector<std::uint64_t>{1});

  for (int i = 0; i < 5; ++i) ingest(rgEvent("b", std::to_string(i)));  // 2..6: 2 and 3 lost
  hub_->deliverPending();
  EXPECT_FALSE(client.next(200ms)) << "an event after the gap reached the stream";
  const auto status = client.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto info = errorInfo(*status);
  EXPECT_EQ(info.reason(), "SUBSCRIBER_TOO_SLOW");
  // The position of the stream's last completed write: 1, or 0 when the write of 1 had not
  // reported its completion yet (never beyond what the client was given).
  ASSERT_EQ(info.metadata().count("resume_token"), 1u);
  const auto position = decodeResumeToken(info.metadata().at("resume_token"));
  ASSERT_TRUE(position);
  EXPECT_LE(position->sequence, 1u);
  EXPECT_EQ(hub_->fanoutOverruns(), 2u);

  StreamClient resumed(*stub_, request("r1", lastToken));
  auto reset = resumed.next();
  ASSERT_TRUE(reset && reset->has_reset()) << (reset ? reset->DebugString() : "nothing");
  const auto snapshot = readSnapshot(resumed);
  ASSERT_EQ(snapshot.size(), 2u);  // the latest of a and of b
  EXPECT_EQ(snapshot[0].sequence(), 1u);
  EXPECT_EQ(snapshot[1].sequence(), 6u);
}

TEST_F(SubscribeTest, SlowSubscriberIsEvictedWithItsTokenWhileAFastOneGetsEverything) {
  hubConfig_.ringCapacity = 100'000;
  hubConfig_.ringBytes = 256u << 20;
  config_.maxQueueEvents = 32;
  config_.maxQueueBytes = 1u << 20;
  startServer();
  registerTypes("r1", {kAllCluster});
  auto slowStub = separateStub(target_);
  StreamClient fast(*stub_, request("r1"));
  StreamClient slow(*slowStub, request("r1"), /*startReading=*/false);
  readSnapshot(fast);
  ASSERT_TRUE(eventually([&] { return hub_->subscriberCount() == 2; }));

  // ~2 KiB each: far beyond any flow-control window. In batches smaller than the queue, each
  // read by the fast client before the next, as a client that keeps up with the cluster.
  constexpr std::uint64_t kEvents = 2'000;  // a multiple of kBatch
  constexpr std::uint64_t kBatch = 16;
  for (std::uint64_t first = 1; first <= kEvents; first += kBatch) {
    for (std::uint64_t i = 0; i < kBatch; ++i) ingest(rgEvent("a", std::to_string(i), 2'048));
    ASSERT_EQ(readLive(fast, kBatch), range(first, first + kBatch - 1));
  }

  // Only now does the slow client read: what it was given, then the eviction.
  slow.startReading();
  std::vector<std::uint64_t> received;
  readSnapshot(slow);
  while (auto message = slow.next()) {
    ASSERT_TRUE(message->has_event()) << message->DebugString();
    received.push_back(message->event().sequence());
  }
  EXPECT_EQ(received, range(1, received.size()));
  ASSERT_LT(received.size(), kEvents);
  const auto status = slow.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status->error_message().find("resume_token"), std::string::npos);
  const auto info = errorInfo(*status);
  EXPECT_EQ(info.reason(), "SUBSCRIBER_TOO_SLOW");
  EXPECT_EQ(info.domain(), "crnp-gateway");
  ASSERT_EQ(info.metadata().count("resume_token"), 1u);
  const auto position = decodeResumeToken(info.metadata().at("resume_token"));
  ASSERT_TRUE(position);
  EXPECT_LE(position->sequence, received.size());  // never beyond what it was given

  // Resuming there loses nothing: the ring still has every later event.
  StreamClient resumed(*stub_, request("r1", info.metadata().at("resume_token")));
  EXPECT_EQ(readLive(resumed, kEvents - position->sequence),
            range(position->sequence + 1, kEvents));
}

TEST_F(SubscribeTest, HeartbeatsComeAtTheRequestedIntervalOnAQuietStream) {
  startServer();
  registerTypes("r1", {kMembership});
  ingest(membershipEvent("1"));
  pb::SubscribeRequest r = request("r1");
  r.mutable_heartbeat_interval()->set_nanos(150'000'000);
  StreamClient client(*stub_, r);
  readSnapshot(client);
  auto previous = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    const auto message = client.nextTimed(2s);
    ASSERT_TRUE(message);
    ASSERT_TRUE(message->first.has_heartbeat()) << message->first.DebugString();
    EXPECT_EQ(message->first.resume_token(), token(1));
    const auto gap = message->second - previous;
    EXPECT_GE(gap, 100ms);  // 150 ms, minus the time snapshot_end took to arrive
    EXPECT_LT(gap, 1'500ms);
    previous = message->second;
  }
}

TEST_F(SubscribeTest, NoHeartbeatWhileEventsFlow) {
  startServer();
  registerTypes("r1", {kMembership});
  pb::SubscribeRequest r = request("r1");
  r.mutable_heartbeat_interval()->set_seconds(3600);
  StreamClient client(*stub_, r);
  readSnapshot(client);
  for (int i = 0; i < 20; ++i) ingest(membershipEvent(std::to_string(i)));
  EXPECT_EQ(readLive(client, 20), range(1, 20));
  EXPECT_FALSE(client.next(200ms));  // neither a heartbeat nor anything else
}

TEST_F(SubscribeTest, MaximumAgeSendsGoingAwayWithTheTokenThenOk) {
  config_.maxStreamAge = 300ms;
  config_.maxStreamAgeJitter = 0;
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, request("r1"));
  readSnapshot(client);
  ingest(rgEvent("a", "x"));  // 1
  ingest(rgEvent("b", "x"));  // 2: passed, not given
  EXPECT_EQ(readLive(client, 1), (std::vector<std::uint64_t>{1}));
  const auto goingAway = client.next(5s);
  ASSERT_TRUE(goingAway && goingAway->has_going_away());
  EXPECT_EQ(goingAway->resume_token(), token(2));
  EXPECT_NE(goingAway->going_away().reason().find("age"), std::string::npos);
  const auto status = client.status();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ok()) << status->error_message();
}

TEST_F(SubscribeTest, ShutdownSendsGoingAwayToEveryStreamAndRefusesNewOnes) {
  startServer();
  registerTypes("r1", {kMembership});
  registerTypes("r2", {kAllCluster});
  StreamClient one(*stub_, request("r1"));
  StreamClient two(*stub_, request("r2"));
  readSnapshot(one);
  readSnapshot(two);
  ingest(membershipEvent("1"));
  manager_->shutdown();
  for (StreamClient* client : {&one, &two}) {
    EXPECT_EQ(readLive(*client, 1), (std::vector<std::uint64_t>{1}));  // drained first
    const auto goingAway = client->next();
    ASSERT_TRUE(goingAway && goingAway->has_going_away());
    EXPECT_EQ(goingAway->resume_token(), token(1));
    const auto status = client->status();
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->ok());
  }
  EXPECT_TRUE(manager_->waitUntilIdle(std::chrono::steady_clock::now() + kWait));

  StreamClient late(*stub_, request("r1"));
  const auto status = late.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SubscribeTest, StreamsBeyondTheLimitAreRefused) {
  config_.maxStreams = 1;
  startServer();
  registerTypes("r1", {kMembership});
  StreamClient one(*stub_, request("r1"));
  readSnapshot(one);
  StreamClient two(*stub_, request("r1"));
  const auto status = two.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(errorInfo(*status).reason(), "TOO_MANY_STREAMS");
}

TEST_F(SubscribeTest, ClientCancelEndsTheStreamAndDetachesIt) {
  startServer();
  registerTypes("r1", {kMembership});
  {
    StreamClient client(*stub_, request("r1"));
    readSnapshot(client);
    EXPECT_EQ(hub_->subscriberCount(), 1u);
    client.cancel();
  }
  // OnDone leaves the manager first, then the hub.
  EXPECT_TRUE(
      eventually([&] { return manager_->activeStreams() == 0 && hub_->subscriberCount() == 0; }));
  ingest(membershipEvent("1"));  // nobody to reach; must not touch the gone stream
}

}  // namespace
}  // namespace gateway::subscribe_test
