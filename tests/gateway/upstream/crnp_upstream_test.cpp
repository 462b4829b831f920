// CrnpUpstream against a real in-process CRNP server on loopback: which message each change
// sends, what the server ends up holding, and the event path.
#include "crnp_upstream_fixture.hpp"

namespace gateway::test {
namespace {

using crnp::RegType;

TEST_F(CrnpUpstreamTest, FirstApplyRegistersWithAddClient) {
  startServer();
  RecordingRelay relay(serverPort());
  auto& upstream = makeUpstream(upstreamConfig({relay.port()}));

  const auto result = apply({rgType("a"), membershipType(), rgType("a")});
  EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(relay.port()));

  ASSERT_EQ(relay.types(), std::vector<RegType>{RegType::AddClient});
  const auto request = relay.requests().front();
  EXPECT_EQ(request.port, upstream.callbackEndpoint().port());
  EXPECT_EQ(request.events.size(), 2u) << "identical types are sent once";

  const auto clients = server_->clients();
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_EQ(clients[0].callback.port(), upstream.callbackEndpoint().port());
  EXPECT_EQ(clients[0].callback.address().to_string(), "127.0.0.1");
  EXPECT_EQ(normalizeTypes(clients[0].types), normalizeTypes({membershipType(), rgType("a")}));
  EXPECT_EQ(upstream.confirmedTypes(), normalizeTypes({membershipType(), rgType("a")}));

  const auto health = upstream.health();
  EXPECT_TRUE(health.healthy);
  EXPECT_TRUE(health.lastRegistered.has_value());
  EXPECT_EQ(health.server, "127.0.0.1:" + std::to_string(relay.port()));
}

TEST_F(CrnpUpstreamTest, ChangesSendTheSmallestMessage) {
  startServer();
  RecordingRelay relay(serverPort());
  makeUpstream(upstreamConfig({relay.port()}));

  ASSERT_TRUE(apply({membershipType()}).ok());
  // Adding only: ADD_EVENTS with the added type.
  ASSERT_TRUE(apply({membershipType(), rgType("a"), rgType("b")}).ok());
  EXPECT_TRUE(serverHasTypes({membershipType(), rgType("a"), rgType("b")}));
  // Removing only: REMOVE_EVENTS with the removed type.
  ASSERT_TRUE(apply({membershipType(), rgType("b")}).ok());
  EXPECT_TRUE(serverHasTypes({membershipType(), rgType("b")}));
  // Both: one full ADD_CLIENT, never two messages.
  ASSERT_TRUE(apply({rgType("c"), rgType("b")}).ok());
  EXPECT_TRUE(serverHasTypes({rgType("b"), rgType("c")}));
  // Nothing: REMOVE_CLIENT, and the server has no client left.
  ASSERT_TRUE(apply({}).ok());
  EXPECT_TRUE(server_->clients().empty());

  const auto requests = relay.requests();
  ASSERT_EQ(relay.types(),
            (std::vector<RegType>{RegType::AddClient, RegType::AddEvents, RegType::RemoveEvents,
                                  RegType::AddClient, RegType::RemoveClient}));
  EXPECT_EQ(normalizeTypes(requests[1].events), normalizeTypes({rgType("a"), rgType("b")}));
  EXPECT_EQ(requests[2].events, EventTypes{rgType("a")});
  EXPECT_EQ(normalizeTypes(requests[3].events), normalizeTypes({rgType("b"), rgType("c")}));
  EXPECT_TRUE(upstream_->health().healthy);
}

TEST_F(CrnpUpstreamTest, NoChangeSendsNothing) {
  startServer();
  RecordingRelay relay(serverPort());
  makeUpstream(upstreamConfig({relay.port()}));

  // Nothing registered and nothing wanted: no REMOVE_CLIENT before ADD_CLIENT.
  EXPECT_TRUE(apply({}).ok());
  ASSERT_TRUE(apply({membershipType(), rgType("a")}).ok());
  // The same set in another order, with a duplicate.
  const auto result = apply({rgType("a"), membershipType(), rgType("a")});
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.message, "no change");
  EXPECT_EQ(relay.types(), std::vector<RegType>{RegType::AddClient});
}

TEST_F(CrnpUpstreamTest, AppliesBeforeStartRunAfterTheListenerIsUp) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}), /*start=*/false);
  auto first = applyAsync({membershipType(), rgType("a")});
  EXPECT_EQ(first.wait_for(100ms), std::future_status::timeout) << "registered before start";
  EXPECT_FALSE(upstream.health().healthy);

  ASSERT_FALSE(upstream.start());
  ASSERT_EQ(first.wait_for(kTestDeadline), std::future_status::ready);
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(serverHasTypes({membershipType(), rgType("a")}));
  EXPECT_EQ(upstream.start(), std::make_error_code(std::errc::operation_in_progress));
}

TEST_F(CrnpUpstreamTest, StartWithNothingToRegisterIsHealthy) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  EXPECT_TRUE(eventually([&] { return upstream.health().healthy; }));
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(CrnpUpstreamTest, StartFailsWithoutServersOrWhenThePortIsTaken) {
  auto config = upstreamConfig({});
  makeUpstream(config, false);
  EXPECT_EQ(upstream_->start(), std::make_error_code(std::errc::invalid_argument));

  RawSocket taken = RawSocket::listenOn("127.0.0.1");
  config = upstreamConfig({9});
  config.callbackListen.port(taken.localPort());
  makeUpstream(config, false);
  EXPECT_TRUE(upstream_->start());
}

TEST_F(CrnpUpstreamTest, SnapshotAndLiveEventsArriveInOrder) {
  auto& server = startServer();
  server.seedLatest({membershipEvent("3")});
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({membershipType(), rgType("a")}).ok());

  // The snapshot of the membership type arrives right after ADD_CLIENT.
  ASSERT_TRUE(events_.waitCount(1));
  server.publish(rgEvent("other", "ONLINE"));  // not registered: never delivered
  for (int i = 0; i < 20; ++i) server.publish(rgEvent("a", "STATE_" + std::to_string(i)));
  ASSERT_TRUE(events_.waitCount(21));

  const auto events = events_.events();
  ASSERT_EQ(events.size(), 21u);
  EXPECT_EQ(events[0], membershipEvent("3"));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(events[i + 1], rgEvent("a", "STATE_" + std::to_string(i)));
  EXPECT_TRUE(eventually([&] { return upstream.health().eventsReceived == 21; }));
  EXPECT_EQ(upstream.callbackStats().events, 21u);
}

TEST_F(CrnpUpstreamTest, AddedTypeGetsItsSnapshot) {
  auto& server = startServer();
  server.seedLatest({rgEvent("b", "ONLINE")});
  makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({rgType("a")}).ok());
  ASSERT_TRUE(apply({rgType("a"), rgType("b")}).ok());
  ASSERT_TRUE(events_.waitCount(1));
  EXPECT_EQ(events_.events().front(), rgEvent("b", "ONLINE"));
}

TEST_F(CrnpUpstreamTest, RegistrationSourceIsTheCallbackAddress) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  config.registrationSource = asio::ip::make_address("127.0.0.2");
  config.callbackListen = {asio::ip::make_address("127.0.0.2"), 0};
  makeUpstream(config);

  ASSERT_TRUE(apply({membershipType()}).ok());
  const auto clients = server_->clients();
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_EQ(clients[0].callback.address().to_string(), "127.0.0.2");
  // Later messages must come from the same address (protocol section 6).
  ASSERT_TRUE(apply({membershipType(), rgType("a")}).ok());
  server_->publish(rgEvent("a", "ONLINE"));
  ASSERT_TRUE(events_.waitCount(1));
  ASSERT_TRUE(apply({}).ok());
  EXPECT_TRUE(server_->clients().empty());
}

// The queue of changes is the caller's: one applyTypes at a time; a second one before the
// first is answered is refused, and the first is carried out.
TEST_F(CrnpUpstreamTest, ASecondApplyBeforeTheFirstIsAnsweredIsRefused) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}), /*start=*/false);
  auto first = applyAsync({membershipType()});
  auto second = applyAsync({rgType("a")});
  ASSERT_EQ(second.wait_for(kTestDeadline), std::future_status::ready);
  const auto refused = second.get();
  EXPECT_EQ(refused.outcome, crnp::RegistrationOutcome::NetworkError);
  EXPECT_EQ(refused.message, "another registration change is in progress");

  ASSERT_FALSE(upstream.start());
  ASSERT_EQ(first.wait_for(kTestDeadline), std::future_status::ready);
  EXPECT_TRUE(first.get().ok());
  EXPECT_EQ(serverTypes(), EventTypes{membershipType()});
  EXPECT_EQ(server_->stats().requests, 1u);
}

// A set already desired and confirmed needs no exchange: OK at once, nothing sent.
TEST_F(CrnpUpstreamTest, ApplyingTheRegisteredSetAgainSendsNothing) {
  startServer();
  makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({rgType("a"), membershipType()}).ok());
  const auto again = apply({membershipType(), rgType("a"), membershipType()});  // same set
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(again.message, "no change");
  EXPECT_EQ(server_->stats().requests, 1u);
}

TEST_F(CrnpUpstreamTest, StopAnswersTheWaitingApplyAndRefusesNewOnes) {
  startServer();
  makeUpstream(upstreamConfig({serverPort()}), /*start=*/false);
  auto waiting = applyAsync({membershipType()});
  upstream_->stop();
  ASSERT_EQ(waiting.wait_for(kTestDeadline), std::future_status::ready);
  EXPECT_EQ(waiting.get().outcome, crnp::RegistrationOutcome::NetworkError);
  const auto late = apply({membershipType()});
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.message, "upstream stopped");
  EXPECT_EQ(server_->stats().requests, 0u);
}

// converge(): the stored registrations at start. The upstream registers them without a caller
// and keeps retrying (its one back-off loop) until the server confirms them.
TEST_F(CrnpUpstreamTest, ConvergedSetIsRegisteredAtStartAndRetriedUntilConfirmed) {
  startServer();
  crnp::sim::Fault retry;
  retry.kind = crnp::sim::FaultKind::ReplyCode;
  retry.code = crnp::StatusCode::Retry;
  retry.count = 2;
  server_->faults().inject(retry);
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}), /*start=*/false);
  upstream.converge({rgType("a"), membershipType()});
  ASSERT_FALSE(upstream.start());

  ASSERT_TRUE(eventually([&] { return serverHasTypes({membershipType(), rgType("a")}); }));
  // Two RETRY answers, then OK. The server counts a request as it answers, just after it
  // applied the registration: the count may lag what serverHasTypes saw.
  EXPECT_TRUE(eventually([&] { return server_->stats().requests == 3u; }))
      << server_->stats().requests;
  EXPECT_TRUE(eventually([&] { return upstream.health().healthy; }));
  EXPECT_EQ(upstream.confirmedTypes(), normalizeTypes({membershipType(), rgType("a")}));
  // It is now the desired set: applying it again sends nothing.
  EXPECT_EQ(apply({membershipType(), rgType("a")}).message, "no change");
  EXPECT_EQ(server_->stats().requests, 3u);
}

// A failed change leaves the desired set as it was; a later converge() replaces it and the
// server follows without any caller.
TEST_F(CrnpUpstreamTest, ConvergeAfterAFailedChangeMovesTheServerToTheNewSet) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({membershipType()}).ok());
  crnp::sim::Fault fail;
  fail.kind = crnp::sim::FaultKind::ReplyCode;
  fail.code = crnp::StatusCode::Fail;
  server_->faults().inject(fail);
  EXPECT_FALSE(apply({membershipType(), rgType("a")}).ok());
  EXPECT_EQ(upstream.confirmedTypes(), EventTypes{membershipType()});

  upstream.converge({rgType("b")});
  ASSERT_TRUE(eventually([&] { return serverHasTypes({rgType("b")}); }));
  EXPECT_TRUE(eventually([&] { return upstream.confirmedTypes() == EventTypes{rgType("b")}; }));
  upstream.converge({});
  EXPECT_TRUE(eventually([&] { return server_->clients().empty(); }));
}

TEST_F(CrnpUpstreamTest, NoEventReachesOnEventAfterStop) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({membershipType()}).ok());
  upstream.stop();
  server_->publish(membershipEvent("1"));
  // The callback port closed before stop() returned: the delivery is refused.
  ASSERT_TRUE(eventually([&] { return server_->stats().deliveryFailures >= 1; }));
  EXPECT_TRUE(events_.events().empty());
  EXPECT_EQ(upstream.health().eventsReceived, 0u);
}

}  // namespace
}  // namespace gateway::test
