// Subscribe: snapshot, live order, resume and reset, registration changes, request errors.
#include "raw_grpc_call.hpp"
#include "subscribe_fixture.hpp"

namespace gateway::subscribe_test {
namespace {

// Sends `bytes` as the request of Subscribe, bypassing the typed stub; the final status.
grpc::Status subscribeWithRawBytes(const std::string& target, const std::string& bytes) {
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  const auto result =
      crnp::testing::callWithRawBytes(stub, "/crnp.gateway.v1.CrnpGateway/Subscribe", bytes, kWait);
  EXPECT_TRUE(result.responses.empty()) << "a message came back";
  return result.status;
}

TEST_F(SubscribeTest, SnapshotThenSnapshotEndThenLiveEventsInOrder) {
  startServer();
  ingest(rgEvent("a", "ONLINE"));   // 1: superseded by 4
  ingest(membershipEvent("1"));     // 2
  ingest(rgEvent("b", "ONLINE"));   // 3: not registered
  ingest(rgEvent("a", "OFFLINE"));  // 4
  registerTypes("r1", {rgType("a"), kMembership});

  StreamClient client(*stub_, request("r1"));
  Response end;
  const auto snapshot = readSnapshot(client, &end);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].sequence(), 2u);
  EXPECT_TRUE(snapshot[0].has_membership());
  EXPECT_EQ(snapshot[1].sequence(), 4u);
  EXPECT_EQ(snapshot[1].resource_group().node_states().at("n1"), "OFFLINE");
  EXPECT_EQ(end.resume_token(), token(4));

  ingest(rgEvent("b", "OFFLINE"));  // 5: filtered out
  ingest(rgEvent("a", "ONLINE"));   // 6
  ingest(membershipEvent("2"));     // 7
  EXPECT_EQ(readLive(client, 2), (std::vector<std::uint64_t>{6, 7}));
}

TEST_F(SubscribeTest, SnapshotTokensResumeWithoutLoss) {
  startServer();
  ingest(membershipEvent("1"));
  ingest(rgEvent("a", "ONLINE"));
  registerTypes("r1", {kAllCluster});
  StreamClient client(*stub_, request("r1"));
  const auto first = client.next();
  ASSERT_TRUE(first && first->has_event());
  // Each snapshot message carries its own event's position: resuming there replays the rest.
  EXPECT_EQ(first->resume_token(), token(1));
  client.cancel();

  StreamClient resumed(*stub_, request("r1", first->resume_token()));
  EXPECT_EQ(readLive(resumed, 1), (std::vector<std::uint64_t>{2}));
}

TEST_F(SubscribeTest, EmptyClusterGivesAnEmptySnapshot) {
  startServer();
  registerTypes("r1", {kAllCluster});
  StreamClient client(*stub_, request("r1"));
  Response end;
  EXPECT_TRUE(readSnapshot(client, &end).empty());
  EXPECT_EQ(end.resume_token(), token(0));
  ingest(membershipEvent("1"));
  EXPECT_EQ(readLive(client, 1), (std::vector<std::uint64_t>{1}));
}

TEST_F(SubscribeTest, SnapshotAndLiveNeitherGapNorOverlapWhileEventsFlow) {
  hubConfig_.ringCapacity = 100'000;
  config_.maxQueueEvents = 100'000;
  startServer();
  registerTypes("r1", {rgType("a")});
  constexpr std::uint64_t kEvents = 3'000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kEvents; ++i) ingest(rgEvent("a", std::to_string(i)));
  });
  StreamClient client(*stub_, request("r1"));
  Response end;
  const auto snapshot = readSnapshot(client, &end);
  producer.join();
  const auto cut = decodeResumeToken(end.resume_token());
  ASSERT_TRUE(cut);
  ASSERT_LE(snapshot.size(), 1u);
  if (!snapshot.empty()) {
    EXPECT_EQ(snapshot[0].sequence(), cut->sequence);
  }
  EXPECT_EQ(readLive(client, kEvents - cut->sequence), range(cut->sequence + 1, kEvents));
}

TEST_F(SubscribeTest, ResumeContinuesWithoutLossAndWithoutSnapshot) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient first(*stub_, request("r1"));
  readSnapshot(first);
  for (int i = 0; i < 10; ++i)
    ingest(rgEvent(i % 2 ? "b" : "a", std::to_string(i)));  // a: odd seqs
  std::string lastToken;
  EXPECT_EQ(readLive(first, 2, &lastToken), (std::vector<std::uint64_t>{1, 3}));
  first.cancel();
  ingest(rgEvent("a", "late"));  // 11

  StreamClient resumed(*stub_, request("r1", lastToken));
  EXPECT_EQ(readLive(resumed, 4), (std::vector<std::uint64_t>{5, 7, 9, 11}));
  ingest(rgEvent("a", "live"));  // 12
  EXPECT_EQ(readLive(resumed, 1), (std::vector<std::uint64_t>{12}));
}

TEST_F(SubscribeTest, ResumeFromEvictedPositionResetsThenSnapshots) {
  hubConfig_.ringCapacity = 4;
  startServer();
  registerTypes("r1", {rgType("a")});
  ingest(rgEvent("a", "ONLINE"));                                        // 1
  for (int i = 0; i < 10; ++i) ingest(rgEvent("b", std::to_string(i)));  // 2..11: 1..7 evicted
  ingest(rgEvent("a", "OFFLINE"));                                       // 12

  StreamClient client(*stub_, request("r1", token(1)));
  auto reset = client.next();
  ASSERT_TRUE(reset && reset->has_reset()) << (reset ? reset->DebugString() : "nothing");
  EXPECT_NE(reset->reset().reason().find("no longer buffered"), std::string::npos);
  EXPECT_EQ(reset->resume_token(), token(11));  // just before the first snapshot event
  Response end;
  const auto snapshot = readSnapshot(client, &end);
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].sequence(), 12u);
  EXPECT_EQ(end.resume_token(), token(12));
}

TEST_F(SubscribeTest, ResumeFromAnotherGatewayInstanceResets) {
  startServer();
  registerTypes("r1", {kMembership});
  ingest(membershipEvent("1"));
  StreamClient client(*stub_, request("r1", encodeResumeToken({kEpoch ^ 1, 1})));
  auto reset = client.next();
  ASSERT_TRUE(reset && reset->has_reset());
  EXPECT_NE(reset->reset().reason().find("another gateway"), std::string::npos);
  EXPECT_EQ(readSnapshot(client).size(), 1u);
}

TEST_F(SubscribeTest, HeartbeatCarriesThePositionPastFilteredEvents) {
  startServer();
  registerTypes("r1", {rgType("a")});
  pb::SubscribeRequest r = request("r1");
  r.mutable_heartbeat_interval()->set_nanos(100'000'000);
  StreamClient client(*stub_, r);
  readSnapshot(client);
  ingest(rgEvent("b", "x"));  // 1: not ours, but passed
  ingest(rgEvent("b", "y"));  // 2
  // The first heartbeat may predate the ingests; a later one must carry position 2.
  std::optional<Response> heartbeat;
  for (int i = 0; i < 5; ++i) {
    heartbeat = client.next();
    ASSERT_TRUE(heartbeat && heartbeat->has_heartbeat());
    if (heartbeat->resume_token() == token(2)) break;
  }
  EXPECT_EQ(heartbeat->resume_token(), token(2));
  EXPECT_GT(heartbeat->heartbeat().time().seconds(), 0);
}

TEST_F(SubscribeTest, SeveralStreamsFollowOneRegistration) {
  startServer();
  registerTypes("r1", {kMembership});
  StreamClient one(*stub_, request("r1"));
  StreamClient two(*stub_, request("r1"));
  readSnapshot(one);
  readSnapshot(two);
  ingest(membershipEvent("1"));
  EXPECT_EQ(readLive(one, 1), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(readLive(two, 1), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(manager_->activeStreams(), 2u);
}

TEST_F(SubscribeTest, ChangedRegistrationReplacesTheFilter) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, request("r1"));
  readSnapshot(client);
  manager_->registrationChanged("r1", std::vector<crnp::EventType>{rgType("b")});
  ingest(rgEvent("a", "x"));  // 1: no longer followed
  ingest(rgEvent("b", "x"));  // 2
  EXPECT_EQ(readLive(client, 1), (std::vector<std::uint64_t>{2}));
}

TEST_F(SubscribeTest, RemovedRegistrationEndsItsStreamsWithNotFound) {
  startServer();
  registerTypes("r1", {kMembership});
  registerTypes("r2", {kMembership});
  StreamClient one(*stub_, request("r1"));
  StreamClient other(*stub_, request("r2"));
  readSnapshot(one);
  readSnapshot(other);
  manager_->registrationChanged("r1", std::nullopt);
  const auto status = one.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(errorInfo(*status).reason(), "REGISTRATION_NOT_FOUND");
  ingest(membershipEvent("1"));
  EXPECT_EQ(readLive(other, 1), (std::vector<std::uint64_t>{1}));
  EXPECT_TRUE(eventually([&] { return manager_->activeStreams() == 1; }));
}

TEST_F(SubscribeTest, UnknownRegistrationIsNotFound) {
  startServer();
  StreamClient client(*stub_, request("nobody"));
  const auto status = client.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status->error_message().find("nobody"), std::string::npos);
  EXPECT_EQ(errorInfo(*status).domain(), "crnp-gateway");
  EXPECT_EQ(errorInfo(*status).metadata().at("registration_id"), "nobody");
}

TEST_F(SubscribeTest, BadRequestsAreInvalidArgument) {
  startServer();
  registerTypes("r1", {kMembership});
  auto expectInvalid = [&](const pb::SubscribeRequest& r, const char* what,
                           const std::string& reason = "INVALID_SUBSCRIBE_REQUEST") {
    StreamClient client(*stub_, r);
    const auto status = client.status();
    ASSERT_TRUE(status) << what;
    EXPECT_EQ(status->error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
    EXPECT_EQ(errorInfo(*status).reason(), reason) << what;
    // Whatever the request held, the error quotes at most a bounded part of it.
    EXPECT_LT(status->error_message().size(), 512u) << what;
    EXPECT_LT(status->error_details().size(), 1024u) << what;
  };
  expectInvalid(request(""), "no registration id", "INVALID_REGISTRATION_ID");
  expectInvalid(request("r/1"), "id with a slash", "INVALID_REGISTRATION_ID");
  expectInvalid(request(std::string(129, 'r')), "id too long", "INVALID_REGISTRATION_ID");
  expectInvalid(request(std::string(8000, 'r')), "8000-character id", "INVALID_REGISTRATION_ID");
  expectInvalid(request("r1", "garbage"), "garbage token");
  expectInvalid(request("r1", token(1) + "0x"), "token with trailing bytes");
  expectInvalid(request("r1", std::string(8000, 't')), "8000-character token");
  pb::SubscribeRequest fast = request("r1");
  fast.mutable_heartbeat_interval()->set_nanos(99'000'000);
  expectInvalid(fast, "heartbeat below 100 ms");
  pb::SubscribeRequest negative = request("r1");
  negative.mutable_heartbeat_interval()->set_seconds(-5);
  expectInvalid(negative, "negative heartbeat");
  pb::SubscribeRequest badNanos = request("r1");
  badNanos.mutable_heartbeat_interval()->set_seconds(1);
  badNanos.mutable_heartbeat_interval()->set_nanos(1'000'000'000);
  expectInvalid(badNanos, "nanos out of range");
  pb::SubscribeRequest huge = request("r1");
  huge.mutable_heartbeat_interval()->set_seconds(INT64_MAX);
  expectInvalid(huge, "huge heartbeat");
}

TEST_F(SubscribeTest, HostileRequestBytesAreInvalidArgument) {
  startServer();
  registerTypes("r1", {kMembership});
  const std::string hostile[] = {
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),  // runaway varint
      std::string("\x0a\x05"
                  "ab",
                  4),                          // length beyond the end
      std::string("\x0a\x02\xc3\x28", 4),      // registration_id not UTF-8
      std::string("\x1a\x03\x08\x80\x80", 5),  // truncated Duration
      std::string("\x07", 1),                  // wire type 7 does not exist
  };
  for (const auto& bytes : hostile) {
    const auto status = subscribeWithRawBytes(target_, bytes);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(errorInfo(status).reason(), "MALFORMED_REQUEST");
    EXPECT_EQ(errorInfo(status).metadata().at("message_type"), "crnp.gateway.v1.SubscribeRequest");
  }
  // Unknown fields are not an error (forward compatibility): this one is just NOT_FOUND.
  EXPECT_EQ(subscribeWithRawBytes(target_, std::string("\x0a\x01x\x78\x01", 5)).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(eventually([&] { return manager_->activeStreams() == 0; }));
}

}  // namespace
}  // namespace gateway::subscribe_test
