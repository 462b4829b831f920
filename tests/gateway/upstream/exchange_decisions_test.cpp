// The upstream's exchange decisions as pure functions: every reply outcome against every kind
// of message and exchange history, and the keep-alive schedule with time as a parameter. No
// sockets, no clocks.
#include "exchange_decisions.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

namespace gateway {
namespace {

using namespace std::chrono_literals;
using crnp::RegistrationOutcome;
using crnp::StatusCode;
using Kind = RegistrationPlan::Kind;

crnp::RegistrationResult replied(StatusCode code) {
  crnp::RegistrationResult result;
  result.outcome = RegistrationOutcome::Replied;
  result.reply = crnp::Reply{"1.0", code, "scripted"};
  result.localAddress = boost::asio::ip::make_address("127.0.0.1");
  return result;
}

crnp::RegistrationResult transport(RegistrationOutcome outcome, bool connected) {
  crnp::RegistrationResult result;
  result.outcome = outcome;
  if (connected) result.localAddress = boost::asio::ip::make_address("127.0.0.1");
  return result;
}

ExchangeProgress sent(Kind kind) {
  ExchangeProgress progress;
  progress.kind = kind;
  return progress;
}

constexpr Kind kAllKinds[] = {Kind::AddClient, Kind::AddEvents, Kind::RemoveEvents,
                              Kind::RemoveClient};

TEST(ExchangeDecisions, OkSucceedsWhateverWasSent) {
  for (Kind kind : kAllKinds) {
    EXPECT_EQ(decideReply(sent(kind), replied(StatusCode::Ok)).action, ReplyAction::Succeed)
        << toString(kind);
  }
}

TEST(ExchangeDecisions, ErrorCodesFailAndLeaveTheServerAsItWas) {
  for (Kind kind : kAllKinds) {
    for (StatusCode code :
         {StatusCode::Retry, StatusCode::LowResource, StatusCode::SystemError, StatusCode::Fail}) {
      const auto decision = decideReply(sent(kind), replied(code));
      EXPECT_EQ(decision.action, ReplyAction::Fail) << toString(kind);
      EXPECT_EQ(decision.effect, FailureEffect::None) << toString(kind);
    }
  }
}

TEST(ExchangeDecisions, InvalidMeansNotKnownToTheServer) {
  // REMOVE_CLIENT: not registered, which is what was asked.
  EXPECT_EQ(decideReply(sent(Kind::RemoveClient), replied(StatusCode::Invalid)).action,
            ReplyAction::SucceedUnregistered);
  // ADD_EVENTS / REMOVE_EVENTS: the server forgot us; register in full, once.
  for (Kind kind : {Kind::AddEvents, Kind::RemoveEvents}) {
    auto progress = sent(kind);
    EXPECT_EQ(decideReply(progress, replied(StatusCode::Invalid)).action,
              ReplyAction::FallBackToAddClient);
    progress.fellBack = true;
    const auto again = decideReply(progress, replied(StatusCode::Invalid));
    EXPECT_EQ(again.action, ReplyAction::Fail);
    EXPECT_EQ(again.effect, FailureEffect::None);
  }
  // ADD_CLIENT answered INVALID: the request itself was refused.
  EXPECT_EQ(decideReply(sent(Kind::AddClient), replied(StatusCode::Invalid)).action,
            ReplyAction::Fail);
}

TEST(ExchangeDecisions, UnreachableServerFailsOverWhileServersAreLeft) {
  for (auto outcome : {RegistrationOutcome::ConnectionRefused, RegistrationOutcome::ConnectTimeout,
                       RegistrationOutcome::ResolveFailed, RegistrationOutcome::NetworkError}) {
    const auto reply = transport(outcome, /*connected=*/false);
    EXPECT_TRUE(unreachable(reply)) << crnp::toString(outcome);
    EXPECT_FALSE(uncertain(reply)) << crnp::toString(outcome);
    auto progress = sent(Kind::AddClient);
    progress.serversLeft = 1;
    EXPECT_EQ(decideReply(progress, reply).action, ReplyAction::FailOver);
    progress.serversLeft = 0;
    const auto last = decideReply(progress, reply);
    EXPECT_EQ(last.action, ReplyAction::Fail);
    EXPECT_EQ(last.effect, FailureEffect::NextServer);
    // Even an event cannot prove a request the server never got.
    progress.proven = true;
    EXPECT_EQ(decideReply(progress, reply).action, ReplyAction::Fail);
  }
}

TEST(ExchangeDecisions, NoReplyLeavesTheStateUnknownUnlessAnEventProvedTheChange) {
  for (auto outcome : {RegistrationOutcome::ReplyTimeout, RegistrationOutcome::ConnectionReset,
                       RegistrationOutcome::MalformedReply, RegistrationOutcome::NetworkError}) {
    const auto reply = transport(outcome, /*connected=*/true);
    EXPECT_TRUE(uncertain(reply)) << crnp::toString(outcome);
    EXPECT_FALSE(unreachable(reply)) << crnp::toString(outcome);
    auto progress = sent(Kind::AddEvents);
    progress.serversLeft = 2;  // the server may have the request: no failover
    const auto unproven = decideReply(progress, reply);
    EXPECT_EQ(unproven.action, ReplyAction::Fail);
    EXPECT_EQ(unproven.effect, FailureEffect::StateUnknown);
    progress.proven = true;
    EXPECT_EQ(decideReply(progress, reply).action, ReplyAction::SucceedProven);
  }
}

TEST(ExchangeDecisions, KeepAliveIsDueOnTheEarlierOfScheduleAndSilence) {
  const auto t0 = std::chrono::steady_clock::time_point(1000s);
  KeepAliveInputs in;
  in.state = RegistrationState::Registered;
  in.lastConfirmedAt = t0;
  in.lastEventAt = t0 - 5s;
  EXPECT_FALSE(keepAliveDue(in)) << "both disabled";

  in.reregisterInterval = 30s;
  EXPECT_EQ(keepAliveDue(in), t0 + 30s);
  in.silenceThreshold = 10s;  // silence counts from the later of event and confirmation
  EXPECT_EQ(keepAliveDue(in), t0 + 10s);
  in.lastEventAt = t0 + 25s;
  EXPECT_EQ(keepAliveDue(in), t0 + 30s);
  in.reregisterInterval = 0s;
  EXPECT_EQ(keepAliveDue(in), t0 + 35s);

  for (auto state : {RegistrationState::NotRegistered, RegistrationState::Unknown}) {
    in.state = state;
    EXPECT_FALSE(keepAliveDue(in)) << "only a confirmed registration is kept alive";
  }
}

TEST(ExchangeDecisions, MaintenanceConvergesTheServerOnTheDesiredSet) {
  const EventTypes some{{"EC_Cluster", "ESC_cluster_membership", {}}};
  for (auto state : {RegistrationState::NotRegistered, RegistrationState::Registered,
                     RegistrationState::Unknown}) {
    const auto plan = maintenancePlan(state, some);
    EXPECT_EQ(plan.kind, Kind::AddClient);  // replaces whatever the server holds
    EXPECT_EQ(plan.events, some);
    EXPECT_TRUE(needsMaintenance(state, {}, some));
  }
  EXPECT_EQ(maintenancePlan(RegistrationState::Unknown, {}).kind, Kind::RemoveClient);
  EXPECT_EQ(maintenancePlan(RegistrationState::Registered, {}).kind, Kind::RemoveClient);
  EXPECT_EQ(maintenancePlan(RegistrationState::NotRegistered, {}).kind, Kind::None);
  EXPECT_TRUE(needsMaintenance(RegistrationState::Unknown, {}, {}));
  EXPECT_TRUE(needsMaintenance(RegistrationState::Registered, some, {}));
  EXPECT_FALSE(needsMaintenance(RegistrationState::NotRegistered, {}, {}));
}

}  // namespace
}  // namespace gateway
