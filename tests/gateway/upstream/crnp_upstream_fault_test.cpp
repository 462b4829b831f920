// CrnpUpstream when things go wrong: error replies, lost replies, dead and restarted servers,
// silent removal, failover, hostile servers and hostile callback peers.
#include <atomic>
#include <future>

#include "crnp_upstream_fixture.hpp"

namespace gateway::test {
namespace {

using crnp::RegistrationOutcome;
using crnp::RegType;
using crnp::StatusCode;
using crnp::sim::Fault;
using crnp::sim::FaultKind;

Fault replyCode(StatusCode code) {
  Fault fault;
  fault.kind = FaultKind::ReplyCode;
  fault.code = code;
  return fault;
}

/// Reads one registration request to its end (a fake server that closes with unread input
/// would reset the connection and hide its reply).
void readRequest(RawSocket& connection) {
  std::string request;
  while (request.find("</SC_CALLBACK_REG>") == std::string::npos) {
    auto chunk = connection.readExactly(1, 2000ms);
    if (chunk.data.empty()) return;
    request += chunk.data;
  }
}

Fault fault(FaultKind kind, std::uint32_t count = 1) {
  Fault f;
  f.kind = kind;
  f.count = count;
  return f;
}

TEST_F(CrnpUpstreamTest, ErrorRepliesComeBackAndKeepTheConfirmedSet) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  // Each failure re-arms the repair timer; it must not fire (and take the next injected
  // fault) while the loop runs.
  config.backoffInitial = config.backoffMax = 400ms;
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());
  const EventTypes before = upstream.confirmedTypes();

  for (auto code :
       {StatusCode::Retry, StatusCode::LowResource, StatusCode::SystemError, StatusCode::Fail}) {
    SCOPED_TRACE(std::string(crnp::toString(code)));
    server_->faults().inject(replyCode(code));
    const auto result = apply({membershipType(), rgType("a")});
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.outcome, RegistrationOutcome::Replied);
    EXPECT_EQ(result.code, code);
    EXPECT_NE(result.message.find("injected"), std::string::npos) << result.message;
    EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(serverPort()));
    EXPECT_EQ(upstream.confirmedTypes(), before);
    EXPECT_EQ(serverTypes(), before);
  }
  // Each failure made it unhealthy; background re-registration made it healthy again.
  EXPECT_TRUE(health_.waitUnhealthyThenHealthy());
  EXPECT_TRUE(eventually([&] { return upstream.health().healthy; }));
  EXPECT_TRUE(health_.alternates());
  EXPECT_FALSE(upstream.health().lastError.empty());
  EXPECT_TRUE(apply({membershipType(), rgType("a")}).ok());
}

TEST_F(CrnpUpstreamTest, FirstRegistrationRefusedByServerStaysUnregistered) {
  auto config = serverConfig();
  config.allowHosts = "10.0.0.0/8";  // we are not allowed
  startServer(config);
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  const auto result = apply({membershipType()});
  EXPECT_EQ(result.code, StatusCode::Fail);
  EXPECT_TRUE(upstream.confirmedTypes().empty());
  EXPECT_FALSE(upstream.health().healthy);
  EXPECT_TRUE(server_->clients().empty());
}

TEST_F(CrnpUpstreamTest, DeadServerIsConnectionRefused) {
  RawSocket bound = RawSocket::tcp4("127.0.0.1");  // bound, not listening: refuses
  auto& upstream = makeUpstream(upstreamConfig({bound.localPort()}));
  const auto result = apply({membershipType()});
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionRefused);
  EXPECT_FALSE(result.code.has_value());
  EXPECT_TRUE(upstream.confirmedTypes().empty());
  EXPECT_FALSE(upstream.health().healthy);
  EXPECT_NE(upstream.health().lastError.find("ConnectionRefused"), std::string::npos)
      << upstream.health().lastError;
}

TEST_F(CrnpUpstreamTest, FailoverSkipsADeadServer) {
  startServer();
  RawSocket bound = RawSocket::tcp4("127.0.0.1");
  auto& upstream = makeUpstream(upstreamConfig({bound.localPort(), serverPort()}));
  const auto result = apply({membershipType()});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(serverPort()));
  EXPECT_EQ(upstream.health().server, result.server);
  EXPECT_TRUE(serverHasTypes({membershipType()}));
  // Later changes go to the server that answered.
  ASSERT_TRUE(apply({membershipType(), rgType("a")}).ok());
  EXPECT_TRUE(serverHasTypes({membershipType(), rgType("a")}));
}

TEST_F(CrnpUpstreamTest, AllServersDeadReportsTheLastFailure) {
  RawSocket first = RawSocket::tcp4("127.0.0.1");
  RawSocket second = RawSocket::tcp4("127.0.0.1");
  makeUpstream(upstreamConfig({first.localPort(), second.localPort()}));
  const auto result = apply({membershipType()});
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionRefused);
  EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(second.localPort()));
}

TEST_F(CrnpUpstreamTest, LostReplyIsRepairedByMaintenance) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  config.reregisterInterval = 100ms;
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());

  // The next periodic ADD_CLIENT is processed but never answered.
  server_->faults().inject(fault(FaultKind::DropReply));
  EXPECT_TRUE(health_.waitUnhealthyThenHealthy());
  EXPECT_NE(upstream.health().lastError.find("ConnectionReset"), std::string::npos)
      << upstream.health().lastError;
  EXPECT_TRUE(serverHasTypes({membershipType()}));
}

TEST_F(CrnpUpstreamTest, LostReplyOnAChangeConvergesOnThePreviousSet) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({membershipType()}).ok());
  server_->faults().inject(fault(FaultKind::DropReply));
  const auto result = apply({membershipType(), rgType("a")});
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionReset);
  EXPECT_EQ(upstream.confirmedTypes(), EventTypes{membershipType()});
  // The server applied the change; maintenance puts the confirmed set back.
  EXPECT_TRUE(eventually([&] { return serverHasTypes({membershipType()}); }));
  EXPECT_TRUE(eventually([&] { return upstream.health().healthy; }));
}

TEST_F(CrnpUpstreamTest, LostFirstRegistrationIsWithdrawn) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  server_->faults().inject(fault(FaultKind::DropReply));
  EXPECT_EQ(apply({membershipType()}).outcome, RegistrationOutcome::ConnectionReset);
  EXPECT_TRUE(upstream.confirmedTypes().empty());
  // The server registered us anyway; "keeps its previous set" means none: REMOVE_CLIENT.
  EXPECT_TRUE(eventually([&] { return server_->clients().empty(); }));
  EXPECT_TRUE(eventually([&] { return upstream.health().healthy; }));
}

TEST_F(CrnpUpstreamTest, ReplyTimeoutIsReported) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  config.client.replyTimeout = 200ms;
  auto& upstream = makeUpstream(config);
  Fault slow = fault(FaultKind::DelayReply);
  slow.delay = 1500ms;
  server_->faults().inject(slow);
  const auto result = apply({membershipType()});
  EXPECT_EQ(result.outcome, RegistrationOutcome::ReplyTimeout);
  EXPECT_TRUE(upstream.confirmedTypes().empty());
}

TEST_F(CrnpUpstreamTest, EventBeforeTheReplyProvesTheRegistration) {
  auto& server = startServer();
  server.seedLatest({rgEvent("a", "ONLINE")});
  auto config = upstreamConfig({serverPort()});
  config.client.replyTimeout = 1000ms;
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());

  // The server registers, sends the new type's snapshot, and never answers in time.
  Fault slow = fault(FaultKind::DelayReply);
  slow.delay = 3000ms;
  server.faults().inject(slow);
  const auto result = apply({membershipType(), rgType("a")});
  EXPECT_TRUE(result.ok()) << toString(result.outcome) << ": " << result.message;
  EXPECT_EQ(upstream.confirmedTypes(), normalizeTypes({membershipType(), rgType("a")}));
  ASSERT_TRUE(events_.waitCount(1));
}

TEST_F(CrnpUpstreamTest, ServerRestartWithoutStateIsDetectedByReregistration) {
  startServer();
  const auto port = serverPort();
  auto config = upstreamConfig({port});
  config.reregisterInterval = 200ms;
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());

  // Same port, no state file: the new server knows no client. stop() closes the acceptor
  // asynchronously, so the port is free a moment later.
  server_->stop();
  std::unique_ptr<crnp::sim::CrnpServer> restarted;
  ASSERT_TRUE(eventually([&] {
    restarted = std::make_unique<crnp::sim::CrnpServer>(io_.get_executor(), serverConfig(port));
    return !restarted->start();
  }));
  server_ = std::move(restarted);
  ASSERT_TRUE(server_->clients().empty());
  ASSERT_TRUE(eventually([&] { return serverHasTypes({membershipType()}); }));
  server_->publish(membershipEvent("7"));
  ASSERT_TRUE(events_.waitCount(1));
  EXPECT_EQ(events_.events().back(), membershipEvent("7"));
  EXPECT_TRUE(upstream.health().healthy);
}

TEST_F(CrnpUpstreamTest, RegistrationConfirmedOnScheduleStaysHealthy) {
  startServer();
  RecordingRelay relay(serverPort());
  auto config = upstreamConfig({relay.port()});
  config.reregisterInterval = 100ms;
  config.client.connectTimeout = 100ms;
  config.client.replyTimeout = 300ms;
  config.healthGrace = 500ms;  // lapses 1 s after a confirmation
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());
  // Several allowances' worth of re-registrations, each confirming the registration in time.
  ASSERT_TRUE(eventually([&] { return relay.requests().size() >= 15; }));
  EXPECT_TRUE(upstream.health().healthy) << upstream.health().lastError;
  EXPECT_EQ(health_.changes(), std::vector<bool>{true});
}

TEST_F(CrnpUpstreamTest, RegistrationNotConfirmedOnScheduleIsReportedLapsed) {
  auto& server = startServer();
  auto config = upstreamConfig({serverPort()});
  config.reregisterInterval = 100ms;
  config.client.connectTimeout = 100ms;
  config.client.replyTimeout = 200ms;
  config.healthGrace = 100ms;  // lapses 500 ms after a confirmation
  // The first event gets stuck in the sink (as if a consumer hung): the upstream's strand
  // cannot re-register on schedule, and nothing fails that would say so.
  auto stuck = std::make_shared<std::atomic<bool>>(false);  // the hook outlives this body
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  eventHook_ = [stuck, released](const crnp::Event&) {
    if (!stuck->exchange(true)) released.wait_for(kTestDeadline);
  };
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());
  server.publish(membershipEvent("2"));

  const bool lapsed = eventually([&] { return health_.changes().size() >= 2; });
  const auto reports = health_.changes();
  const auto health = upstream.health();
  release.set_value();
  ASSERT_TRUE(lapsed) << "the listener never heard of the lapse";
  EXPECT_EQ(reports, (std::vector<bool>{true, false}));
  EXPECT_FALSE(health.healthy);
  EXPECT_NE(health.lastError.find("not confirmed again within"), std::string::npos)
      << health.lastError;

  // Unstuck, the overdue re-registration confirms it again.
  ASSERT_TRUE(health_.waitUnhealthyThenHealthy());
  EXPECT_TRUE(upstream.health().healthy);
  EXPECT_TRUE(health_.alternates());
}

TEST_F(CrnpUpstreamTest, SilentRemovalIsRepairedAfterSilence) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  config.silenceThreshold = 300ms;  // the only maintenance trigger here
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());

  // Deliveries fail, so the server drops us without telling.
  server_->faults().inject(fault(FaultKind::RefuseDelivery, 0));
  server_->publish(membershipEvent("1"));
  ASSERT_TRUE(eventually([&] { return server_->stats().clientsRemoved >= 1; }));
  server_->faults().clear();

  // After the silence the upstream registers again, and delivery works.
  ASSERT_TRUE(eventually([&] { return serverHasTypes({membershipType()}); }));
  server_->publish(membershipEvent("2"));
  ASSERT_TRUE(eventually([&] {
    const auto events = events_.events();
    return std::find(events.begin(), events.end(), membershipEvent("2")) != events.end();
  }));
  EXPECT_TRUE(upstream.health().healthy);
}

TEST_F(CrnpUpstreamTest, ChangeAfterSilentRemovalFallsBackToAddClient) {
  startServer();
  RecordingRelay relay(serverPort());
  makeUpstream(upstreamConfig({relay.port()}));
  ASSERT_TRUE(apply({membershipType()}).ok());
  server_->faults().inject(fault(FaultKind::RefuseDelivery, 0));
  server_->publish(membershipEvent("1"));
  ASSERT_TRUE(eventually([&] { return server_->clients().empty(); }));
  server_->faults().clear();

  // ADD_EVENTS is answered INVALID (unknown client): the same call re-registers in full.
  const auto result = apply({membershipType(), rgType("a")});
  EXPECT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(relay.types(),
            (std::vector<RegType>{RegType::AddClient, RegType::AddEvents, RegType::AddClient}));
  EXPECT_TRUE(serverHasTypes({membershipType(), rgType("a")}));

  // Once removed again, REMOVE_CLIENT answered INVALID means "not registered": success.
  server_->faults().inject(fault(FaultKind::RefuseDelivery, 0));
  server_->publish(membershipEvent("2"));
  ASSERT_TRUE(eventually([&] { return server_->clients().empty(); }));
  const auto removed = apply({});
  EXPECT_TRUE(removed.ok()) << removed.message;
  EXPECT_TRUE(upstream_->confirmedTypes().empty());
}

TEST_F(CrnpUpstreamTest, CallbacksFromDisallowedSourcesAreRejected) {
  startServer();
  auto config = upstreamConfig({serverPort()});
  config.allowedCallbackSources = crnp::AddressFilter::parse("127.0.0.2/32");
  auto& upstream = makeUpstream(config);
  ASSERT_TRUE(apply({membershipType()}).ok());
  server_->publish(membershipEvent("1"));  // the server connects from 127.0.0.1
  ASSERT_TRUE(eventually([&] { return upstream.callbackStats().rejectedPeer >= 1; }));
  EXPECT_EQ(upstream.health().eventsReceived, 0u);
  EXPECT_TRUE(events_.events().empty());
}

TEST_F(CrnpUpstreamTest, HostileCallbackPeersCostNothing) {
  startServer();
  auto& upstream = makeUpstream(upstreamConfig({serverPort()}));
  ASSERT_TRUE(apply({membershipType()}).ok());
  const auto port = upstream.callbackEndpoint().port();
  {
    // Garbage from an allowed address, and an event from a foreign one.
    RawSocket garbage = RawSocket::connectTo("127.0.0.1", port);
    garbage.sendAll("<SC_EVENT VERSION=\"1.0\"><<<&&&");
    garbage.shutdownWrite();
    RawSocket foreign = RawSocket::connectTo("127.0.0.1", port, "127.0.0.2");
    foreign.sendAll(crnp::writeEvent(membershipEvent("9")));
    foreign.shutdownWrite();
    ASSERT_TRUE(eventually([&] {
      const auto stats = upstream.callbackStats();
      return stats.parseErrors >= 1 && stats.rejectedPeer >= 1;
    }));
  }
  EXPECT_EQ(upstream.health().eventsReceived, 0u);
  // The registration is unaffected and real events still flow.
  server_->publish(membershipEvent("2"));
  ASSERT_TRUE(events_.waitCount(1));
  EXPECT_EQ(events_.events().front(), membershipEvent("2"));
  EXPECT_TRUE(upstream.health().healthy);
}

TEST_F(CrnpUpstreamTest, HostileServerRepliesAreReportedNotTrusted) {
  struct Case {
    const char* name;
    std::string reply;
    RegistrationOutcome expected;
  };
  const std::vector<Case> cases{
      {"garbage", "<<<not xml&&&", RegistrationOutcome::MalformedReply},
      {"unknown code",
       "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"GREAT\"><SC_STATUS_MSG>x</SC_STATUS_MSG>"
       "</SC_REPLY>",
       RegistrationOutcome::MalformedReply},
      {"huge",
       "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"OK\"><SC_STATUS_MSG>" + std::string(200'000, 'x') +
           "</SC_STATUS_MSG></SC_REPLY>",
       RegistrationOutcome::MalformedReply},
      {"nothing", "", RegistrationOutcome::ConnectionReset},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    crnp::test::LoopbackServer fake([&](RawSocket& connection) {
      readRequest(connection);
      connection.sendAll(c.reply);
    });
    auto& upstream = makeUpstream(upstreamConfig({fake.port()}));
    const auto result = apply({membershipType()});
    EXPECT_EQ(result.outcome, c.expected) << result.message;
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(upstream.confirmedTypes().empty());
    EXPECT_FALSE(upstream.health().healthy);
    upstream_->stop();
    upstream_.reset();
  }
}

TEST_F(CrnpUpstreamTest, StallingServerTimesOut) {
  crnp::test::LoopbackServer stalling([](RawSocket& connection) {
    connection.readToEnd(5000ms);  // reads, never answers, until the client gives up
  });
  auto config = upstreamConfig({stalling.port()});
  config.client.replyTimeout = 200ms;
  auto& upstream = makeUpstream(config);
  const auto result = apply({membershipType()});
  EXPECT_EQ(result.outcome, RegistrationOutcome::ReplyTimeout);
  EXPECT_TRUE(upstream.confirmedTypes().empty());
}

TEST_F(CrnpUpstreamTest, StopAnswersTheExchangeInFlightAtOnce) {
  std::promise<void> connected;
  auto connectedFuture = connected.get_future();
  crnp::test::LoopbackServer stalling([&connected](RawSocket& connection) {
    connected.set_value();
    connection.readToEnd(5000ms);
  });
  auto config = upstreamConfig({stalling.port()});
  config.client.replyTimeout = std::chrono::minutes(10);  // a shutdown must not wait for this
  auto& upstream = makeUpstream(config);
  auto pending = applyAsync({membershipType()});
  ASSERT_EQ(connectedFuture.wait_for(kTestDeadline), std::future_status::ready);
  upstream.stop();
  ASSERT_EQ(pending.wait_for(kTestDeadline), std::future_status::ready);
  const auto result = pending.get();
  EXPECT_EQ(result.outcome, RegistrationOutcome::NetworkError);
  EXPECT_NE(result.message.find("stopped"), std::string::npos) << result.message;
  EXPECT_TRUE(upstream.confirmedTypes().empty());
}

}  // namespace
}  // namespace gateway::test
