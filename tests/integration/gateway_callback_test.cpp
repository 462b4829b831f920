// The callback port under attack, with both executables as processes: idle floods, a
// slowloris and a neighbour at another allowed address must not make the gateway lose, or
// much delay, the events the cluster delivers meanwhile. CRNP has no acknowledgement, so
// what the tests check is what a subscriber sees: every event, in the cluster's order.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "callback_attacker.hpp"
#include "gateway_process_fixture.hpp"

namespace crnp::integration {
namespace {

using Clock = std::chrono::steady_clock;
using Mode = CallbackAttacker::Mode;

class GatewayCallbackTest : public GatewayProcessFixture {
 protected:
  void SetUp() override {
    // The fixture's sim gives up on a delivery after 500 ms; a real cl_apid allows 60 s.
    // Connecting into the gateway's backlog succeeds at once either way.
    ASSERT_NO_FATAL_FAILURE(startBoth(extraGatewayArgs()));
    ASSERT_TRUE(registerTypes("watcher", {eventType("EC_Cluster")}).ok());
    stream_ = subscribe("watcher");
    for (;;) {  // the snapshot, then live events
      auto message = stream_->nextNonHeartbeat();
      ASSERT_TRUE(message) << "no snapshot_end";
      if (message->has_snapshot_end()) break;
    }
  }
  void TearDown() override {
    stream_.reset();
    GatewayProcessFixture::TearDown();
  }
  virtual Args extraGatewayArgs() const { return {}; }

  std::uint16_t callbackPort() const {
    return static_cast<std::uint16_t>(
        std::stoi(callbackAddress_.substr(callbackAddress_.rfind(':') + 1)));
  }

  /// Emits `count` marked events one after another (the sim delivers them in this order) and
  /// returns how long the last one took to reach the stream; fails unless all arrive in order.
  Clock::duration emitAndReceive(const std::string& prefix, int count) {
    const auto started = Clock::now();
    std::vector<std::string> sent;
    for (int i = 0; i < count; ++i) {
      sent.push_back(prefix + "-" + std::to_string(i));
      emitMarked(sent.back());
    }
    std::vector<std::string> received;
    while (received.size() < sent.size()) {
      auto message = stream_->nextNonHeartbeat(30s);
      if (!message || !message->has_event()) {
        ADD_FAILURE() << "stream stalled or ended; got " << received.size() << " of "
                      << sent.size();
        break;
      }
      const std::string marker = markerOf(message->event());
      if (marker.rfind(prefix + "-", 0) == 0) received.push_back(marker);
    }
    EXPECT_EQ(received, sent) << "lost or out of order";
    return Clock::now() - started;
  }

  static long ms(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  }

  void report(const char* what, Clock::duration baseline, Clock::duration attacked,
              std::uint64_t renewed) {
    std::cout << "[figures] " << what << ": 3 events in order; baseline " << ms(baseline)
              << " ms, under attack " << ms(attacked) << " ms (added " << ms(attacked - baseline)
              << " ms); attacker connections closed by the gateway: " << renewed << "\n";
    RecordProperty("baseline_ms", std::to_string(ms(baseline)));
    RecordProperty("attacked_ms", std::to_string(ms(attacked)));
  }

  std::unique_ptr<StreamReader> stream_;
};

TEST_F(GatewayCallbackTest, IdleFloodFromTheServersAddressDelaysButLosesNothing) {
  const auto baseline = emitAndReceive("base", 3);
  // More idle connections than --callback-max-connections (256), from the address the cluster
  // delivers from, renewed as the gateway cuts them: the listener stops accepting at the
  // limit and the cluster's connections wait in the backlog behind them.
  CallbackAttacker attacker("127.0.0.1", callbackPort(), "127.0.0.1", 300, Mode::Idle);
  const auto attacked = emitAndReceive("flood", 3);
  report("idle flood, 300 connections from 127.0.0.1", baseline, attacked, attacker.renewed());
  // Cut after the first-byte deadline (1 s), so the cluster waits about that long.
  EXPECT_LT(attacked, baseline + 10s);
}

TEST_F(GatewayCallbackTest, SlowlorisFromTheServersAddressDelaysEventsAtMostBriefly) {
  const auto baseline = emitAndReceive("base", 3);
  // 200 connections that each send a byte a second: before, events were released in accept
  // order and waited for these to time out (about 7 s).
  CallbackAttacker attacker("127.0.0.1", callbackPort(), "127.0.0.1", 200, Mode::Trickle);
  std::this_thread::sleep_for(300ms);  // let the listener take them all: they are ahead
  const auto attacked = emitAndReceive("slow", 3);
  report("slowloris, 200 connections from 127.0.0.1", baseline, attacked, attacker.renewed());
  EXPECT_LT(attacked, baseline + 1500ms);
}

class GatewayCallbackNeighbourTest : public GatewayCallbackTest {
 protected:
  Args extraGatewayArgs() const override { return {"--callback-allow", "127.0.0.0/8"}; }
};

TEST_F(GatewayCallbackNeighbourTest, AnotherAllowedAddressCannotStarveTheServer) {
  const auto baseline = emitAndReceive("base", 3);
  // A neighbour inside --callback-allow floods with idle connections: it gets its share
  // (32), the rest is closed at once, and the server's address keeps its room.
  CallbackAttacker attacker("127.0.0.1", callbackPort(), "127.0.0.2", 300, Mode::Idle);
  std::this_thread::sleep_for(300ms);
  const auto attacked = emitAndReceive("neighbour", 3);
  report("idle flood, 300 connections from 127.0.0.2", baseline, attacked, attacker.renewed());
  EXPECT_LT(attacked, baseline + 1500ms);
  EXPECT_GT(attacker.renewed(), 0u) << "the neighbour was never held to its share";
}

}  // namespace
}  // namespace crnp::integration
