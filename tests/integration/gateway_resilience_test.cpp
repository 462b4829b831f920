// The gateway over process failures: an upstream restart, a silent removal by the upstream, a
// gateway restart with its durable registrations (also while its cluster is down), and the
// SIGTERM drain, bounded even when a registration is stuck upstream.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "gateway_process_fixture.hpp"

namespace crnp::integration {
namespace {

class GatewayResilienceTest : public GatewayProcessFixture {
 protected:
  /// Emits markers until one reaches `stream` (the gateway may need a re-registration first).
  void expectEventsFlow(StreamReader& stream, const std::string& prefix) {
    const auto deadline = std::chrono::steady_clock::now() + kConvergeDeadline;
    for (int attempt = 0; std::chrono::steady_clock::now() < deadline; ++attempt) {
      const std::string marker = prefix + std::to_string(attempt);
      emitMarked(marker);
      // Waits a little for this marker, then emits the next one; any marker of this prefix
      // arriving proves the flow.
      auto message = stream.nextNonHeartbeat(1000ms);
      while (message) {
        if (message->has_event() && markerOf(message->event()).rfind(prefix, 0) == 0) {
          return;
        }
        message = stream.nextNonHeartbeat(100ms);
      }
    }
    ADD_FAILURE() << "no " << prefix << " event reached the stream\n" << gateway_->output();
  }

  gw::UpstreamStatus upstreamStatus() {
    gw::ClusterState state;
    const grpc::Status status =
        gatewayStub_->GetClusterState(contextWithDeadline().get(), {}, &state);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return state.upstream();
  }

  /// When the gateway's registration was last confirmed, as (seconds, nanos).
  std::pair<std::int64_t, std::int32_t> lastRegistered() {
    const auto upstream = upstreamStatus();
    return {upstream.last_registered().seconds(), upstream.last_registered().nanos()};
  }

  /// Waits until the gateway registered again (the cluster answered another ADD_CLIENT).
  void waitForReRegistration() {
    const auto before = lastRegistered();
    ASSERT_TRUE(test::eventually([&] { return lastRegistered() > before; }, kConvergeDeadline))
        << gateway_->output();
  }

  /// Reads events up to the one carrying `marker`. Every marker on the way goes into `seen`
  /// (each must be new: the stream never repeats one); returns how many events without a
  /// marker (the cluster's state) came on the way.
  std::size_t readUntilMarker(StreamReader& stream, const std::string& marker,
                              std::set<std::string>& seen) {
    std::size_t stateEvents = 0;
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      if (!message) {
        ADD_FAILURE() << "no " << marker << "\n" << gateway_->output();
        return stateEvents;
      }
      if (!message->has_event()) continue;  // snapshot_end
      const std::string found = markerOf(message->event());
      if (found.empty()) {
        ++stateEvents;
        continue;
      }
      EXPECT_TRUE(seen.insert(found).second) << "the stream repeated " << found;
      if (found == marker) return stateEvents;
    }
  }

  void readSnapshotEnd(StreamReader& stream) {
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      ASSERT_TRUE(message) << "no snapshot_end";
      if (message->has_snapshot_end()) return;
    }
  }
};

TEST_F(GatewayResilienceTest, UpstreamRestartOnSamePortReRegisters) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_TRUE(registerTypes("survivor", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("survivor");
  ASSERT_NO_FATAL_FAILURE(readSnapshotEnd(*stream));

  const std::string port = simCrnpAddress_;
  stopSim();
  ASSERT_NO_FATAL_FAILURE(startSim(port));  // forgets every client
  ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline))
      << gateway_->output();
  expectEventsFlow(*stream, "after-restart-");
}

TEST_F(GatewayResilienceTest, ForgetfulUpstreamRestartIsNoticedOnScheduleWithoutRepeats) {
  constexpr auto kInterval = 2s;
  ASSERT_NO_FATAL_FAILURE(startSim());  // no --state-file: a restart forgets every client
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reregister-interval", "2s"}));
  ASSERT_TRUE(registerTypes("forgetful", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("forgetful");
  std::set<std::string> markers;
  // The cluster delivers the current state it answered the registration with before "before":
  // once "before" is on the stream, the stream has had the whole state.
  emitMarked("before");
  EXPECT_GT(readUntilMarker(*stream, "before", markers), 0u) << "the current state came first";

  // Each re-registration is answered with the current state again: the stream sees none of it.
  ASSERT_NO_FATAL_FAILURE(waitForReRegistration());
  emitMarked("re-registered");
  EXPECT_EQ(readUntilMarker(*stream, "re-registered", markers), 0u)
      << "an unchanged state was repeated";

  // The cluster restarts on the same port, without its registrations and in the same state.
  const std::string address = simCrnpAddress_;
  const auto down = std::chrono::steady_clock::now();
  stopSim();
  ASSERT_NO_FATAL_FAILURE(startSim(address));
  const auto back = std::chrono::steady_clock::now();

  // Markers emitted before the gateway registers again are lost (the cluster knows no client);
  // after that, the latest one comes with the current state and later ones live.
  std::string arrived;
  std::size_t repeats = 0;
  for (int i = 0; arrived.empty() && std::chrono::steady_clock::now() < back + kConvergeDeadline;
       ++i) {
    emitMarked("after-" + std::to_string(i));
    while (auto message = stream->nextNonHeartbeat(250ms)) {
      ASSERT_TRUE(message->has_event()) << message->DebugString();
      const std::string marker = markerOf(message->event());
      if (marker.empty()) {
        ++repeats;
        ADD_FAILURE() << "a repeat of the unchanged state: " << message->DebugString();
        continue;
      }
      EXPECT_TRUE(markers.insert(marker).second) << "the stream repeated " << marker;
      if (marker.rfind("after-", 0) == 0) arrived = marker;
    }
  }
  const auto noticed = std::chrono::steady_clock::now();
  ASSERT_FALSE(arrived.empty()) << "events never flowed again\n" << gateway_->output();
  // The next registration is due one interval after the last confirmation, or, when attempts
  // failed while the cluster was down, after a back-off (0.5 s doubling) of about the time it
  // was down. Plus slack for a loaded machine.
  EXPECT_LT(noticed - back, kInterval + (back - down) + 3s) << gateway_->output();

  // Later re-registrations with the restarted cluster repeat nothing either.
  ASSERT_NO_FATAL_FAILURE(waitForReRegistration());
  emitMarked("settled");
  EXPECT_EQ(readUntilMarker(*stream, "settled", markers), 0u) << "an unchanged state was repeated";
  EXPECT_EQ(repeats, 0u);
  const auto upstream = upstreamStatus();
  EXPECT_TRUE(upstream.healthy()) << upstream.last_error();
}

TEST_F(GatewayResilienceTest, SilentRemovalByUpstreamIsRepaired) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  // The gateway cannot learn of the removal (CRNP has no notice); its maintenance must repair it.
  ASSERT_NO_FATAL_FAILURE(startGateway({"--silence-threshold", "1s"}));
  ASSERT_TRUE(registerTypes("silent", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("silent");
  ASSERT_NO_FATAL_FAILURE(readSnapshotEnd(*stream));

  // Deliveries fail until the sim drops the client (one retry), as a real cl_apid would.
  ASSERT_TRUE(injectFault(sim::InjectFaultRequest::REFUSE_DELIVERY, 0).ok());
  emitMarked("lost");
  ASSERT_TRUE(
      test::eventually([&] { return listClients().clients_size() == 0; }, kConvergeDeadline));
  ASSERT_TRUE(clearFaults().ok());

  ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline))
      << gateway_->output();
  expectEventsFlow(*stream, "repaired-");
}

TEST_F(GatewayResilienceTest, RestartedGatewayKeepsRegistrationsAndReRegisters) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_TRUE(registerTypes("durable", {eventType("EC_Cluster", "ESC_cluster_membership")}).ok());
  std::string oldToken;
  {
    auto stream = subscribe("durable");
    auto message = stream->nextNonHeartbeat();
    ASSERT_TRUE(message);
    oldToken = message->resume_token();
  }
  stopGateway();
  // Forget the old registration upstream, so seeing the gateway again proves a re-register.
  stopSim();
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway());  // same --data-dir

  gw::Registration fetched;
  ASSERT_TRUE(getRegistration("durable", &fetched).ok());
  ASSERT_EQ(fetched.event_types_size(), 1);
  EXPECT_EQ(fetched.event_types(0).subclass(), "ESC_cluster_membership");
  ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline))
      << gateway_->output();

  // The event log kept the previous instance's position (same --data-dir, clean stop): its
  // token resumes, no reset (what follows is a replay or a heartbeat, never a snapshot).
  auto resumed = subscribe("durable", oldToken, 200ms);
  auto first = resumed->next();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_reset()) << first->DebugString();
  EXPECT_TRUE(first->has_heartbeat() || (first->has_event() && !first->event().snapshot()))
      << first->DebugString();
}

TEST_F(GatewayResilienceTest, SigtermDrainsStreamsWithGoingAway) {
  ASSERT_NO_FATAL_FAILURE(startBoth({"--shutdown-timeout", "3s"}));
  ASSERT_TRUE(registerTypes("drain", {eventType("EC_Cluster")}).ok());
  auto stream = subscribe("drain");
  ASSERT_NO_FATAL_FAILURE(readSnapshotEnd(*stream));

  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_TRUE(gateway_->sendSignal(SIGTERM));
  auto message = stream->nextNonHeartbeat();
  // Current-state events the cluster sends after a registration may still be on their way.
  while (message && message->has_event()) message = stream->nextNonHeartbeat();
  ASSERT_TRUE(message) << gateway_->output();
  EXPECT_TRUE(message->has_going_away()) << message->DebugString();
  EXPECT_FALSE(message->resume_token().empty());

  auto exit = gateway_->waitExit(kStartDeadline);
  ASSERT_TRUE(exit) << gateway_->output();
  EXPECT_TRUE(exit->exitedWith(0)) << exit->describe() << "\n" << gateway_->output();
  // Within the shutdown timeout, with slack for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 3s + 5s);
}

TEST_F(GatewayResilienceTest, GatewayStartedBeforeItsClusterRestoresWhenItAppears) {
  ASSERT_NO_FATAL_FAILURE(startBoth());
  ASSERT_TRUE(registerTypes("early", {eventType("EC_Cluster")}).ok());
  const std::string clusterAddress = simCrnpAddress_;
  stopGateway();
  stopSim();

  // The cluster is down: the stored registration cannot be restored yet.
  ASSERT_NO_FATAL_FAILURE(startGateway({}, clusterAddress));
  ASSERT_TRUE(gateway_->waitForLine(
      std::regex("registration failed; trying again kind=ADD_CLIENT .*desired_types=1"),
      kStartDeadline))
      << gateway_->output();
  gw::Registration fetched;
  EXPECT_TRUE(getRegistration("early", &fetched).ok()) << "kept while the cluster is away";

  ASSERT_NO_FATAL_FAILURE(startSim(clusterAddress));
  ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline))
      << gateway_->output();
  auto stream = subscribe("early");
  ASSERT_NO_FATAL_FAILURE(readSnapshotEnd(*stream));
  expectEventsFlow(*stream, "restored-");
}

TEST_F(GatewayResilienceTest, SigtermDoesNotWaitForASlowRegistration) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  ASSERT_NO_FATAL_FAILURE(startGateway({"--reply-timeout", "60s", "--shutdown-timeout", "1s"}));
  ASSERT_TRUE(delayNextReply(30s).ok());

  std::promise<grpc::Status> answered;
  std::thread caller([&] { answered.set_value(registerTypes("slow", {neverEmittedType()})); });
  // The simulator registers the client, then holds the reply back: the change is in flight.
  ASSERT_TRUE(
      test::eventually([&] { return listClients().clients_size() > 0; }, kConvergeDeadline));
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_TRUE(gateway_->sendSignal(SIGTERM));
  auto exit = gateway_->waitExit(kStartDeadline);
  caller.join();
  ASSERT_TRUE(exit) << gateway_->output();
  EXPECT_TRUE(exit->exitedWith(0)) << exit->describe() << "\n" << gateway_->output();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 1s + 5s) << "not the 30 s delay";
  const grpc::Status status = answered.get_future().get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(GatewayResilienceTest, IndependentNodeClientPasses) {
  const std::string node = "/usr/bin/node";
  const std::string modules = CRNP_SOURCE_DIR "/tests/node/node_modules";
  if (!std::filesystem::exists(node)) GTEST_SKIP() << "node is not installed at " << node;
  if (!std::filesystem::exists(modules)) {
    GTEST_SKIP() << modules << " missing: run npm ci --prefix tests/node";
  }
  ASSERT_NO_FATAL_FAILURE(startBoth());
  testing::ChildProcess client(
      node, {CRNP_SOURCE_DIR "/tests/node/reflection_client.mjs", "--gateway", gatewayAddress_,
             "--sim", simControlAddress_, "--timeout-ms", "30000"});
  auto exit = client.waitExit(45s);
  ASSERT_TRUE(exit) << client.output();
  EXPECT_TRUE(exit->exitedWith(0)) << exit->describe() << "\n" << client.output();
}

}  // namespace
}  // namespace crnp::integration

namespace crnp::integration {
namespace {

// A SIGTERM while the gateway is still starting (right after it announced its callback port,
// before the gRPC port) is a clean shutdown, not death by the signal's default action.
TEST_F(GatewayResilienceTest, SigtermDuringStartIsACleanShutdown) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  testing::ChildProcess gateway(CRNP_BIN_DIR "/crnp-gateway", gatewayArgs(simCrnpAddress_));
  ASSERT_TRUE(gateway.waitForLine(std::regex("callback listening on"), kStartDeadline))
      << gateway.output();
  ASSERT_TRUE(gateway.sendSignal(SIGTERM));
  auto exit = gateway.waitExit(kStartDeadline);
  ASSERT_TRUE(exit) << gateway.output();
  EXPECT_TRUE(exit->exitedWith(0)) << exit->describe() << "\n" << gateway.output();
}

}  // namespace
}  // namespace crnp::integration
