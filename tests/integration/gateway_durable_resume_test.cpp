// Resume across a gateway restart on the same --data-dir (the event log): after SIGTERM a
// client's last token replays without reset, nothing missing, and numbering continues; after
// kill -9 the token either replays without a gap or resets with a reason, and no sequence
// number is given twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "gateway_process_fixture.hpp"

namespace crnp::integration {
namespace {

struct Seen {
  std::vector<std::string> markers;
  std::vector<std::uint64_t> sequences;  // of every event, marked or not
  std::string lastToken;
};

class GatewayDurableResumeTest : public GatewayProcessFixture {
 protected:
  /// Reads events until one carries `lastMarker`; fails on anything else but heartbeats.
  static Seen readUntil(StreamReader& stream, const std::string& lastMarker) {
    Seen seen;
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      if (!message) {
        ADD_FAILURE() << "stream ended or stalled before " << lastMarker;
        return seen;
      }
      if (!message->has_event()) {
        ADD_FAILURE() << "unexpected " << message->DebugString();
        return seen;
      }
      seen.lastToken = message->resume_token();
      seen.sequences.push_back(message->event().sequence());
      const std::string marker = markerOf(message->event());
      if (marker.empty()) continue;
      seen.markers.push_back(marker);
      if (marker == lastMarker) return seen;
    }
  }

  static void skipSnapshot(StreamReader& stream) {
    for (;;) {
      auto message = stream.nextNonHeartbeat();
      ASSERT_TRUE(message) << "no snapshot_end";
      if (message->has_snapshot_end()) return;
      ASSERT_TRUE(message->has_event()) << message->DebugString();
    }
  }

  /// A first gateway run: registers, subscribes and reads two marked events. Returns what the
  /// client saw (its last token is the position after "before-2").
  Seen firstRun() {
    startBoth();
    EXPECT_TRUE(registerTypes("durable", {eventType("EC_Cluster")}).ok());
    auto stream = subscribe("durable");
    skipSnapshot(*stream);
    emitMarked("before-1");
    emitMarked("before-2");
    return readUntil(*stream, "before-2");
  }

  /// The gateway restarted on the same data dir and re-registered with the sim.
  void restartedGateway() {
    ASSERT_NO_FATAL_FAILURE(startGateway());
    ASSERT_TRUE(test::eventually([&] { return simKnowsGateway(); }, kConvergeDeadline));
  }
};

TEST_F(GatewayDurableResumeTest, TokenResumesAfterACleanRestartWithNothingMissing) {
  const Seen before = firstRun();
  ASSERT_EQ(before.markers, (std::vector<std::string>{"before-1", "before-2"}));
  stopGateway();  // SIGTERM: the event log is flushed and marked clean

  ASSERT_NO_FATAL_FAILURE(restartedGateway());
  auto resumed = subscribe("durable", before.lastToken);
  emitMarked("after-1");
  // A replay: no reset, no snapshot; the cluster's answer to the re-registration repeats the
  // state the log kept, so it is suppressed; the next event continues the numbering.
  auto first = resumed->nextNonHeartbeat();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->has_event()) << "no reset, no snapshot: " << first->DebugString();
  EXPECT_FALSE(first->event().snapshot());
  Seen after;
  after.sequences.push_back(first->event().sequence());
  if (markerOf(first->event()).empty() || markerOf(first->event()) != "after-1") {
    if (!markerOf(first->event()).empty()) after.markers.push_back(markerOf(first->event()));
    Seen rest = readUntil(*resumed, "after-1");
    after.markers.insert(after.markers.end(), rest.markers.begin(), rest.markers.end());
    after.sequences.insert(after.sequences.end(), rest.sequences.begin(), rest.sequences.end());
  } else {
    after.markers.push_back("after-1");
  }
  EXPECT_EQ(after.markers, (std::vector<std::string>{"after-1"}));
  ASSERT_FALSE(after.sequences.empty());
  EXPECT_EQ(after.sequences.front(), before.sequences.back() + 1)
      << "numbering continues after the last event before the restart";
  EXPECT_TRUE(std::is_sorted(after.sequences.begin(), after.sequences.end()));
}

TEST_F(GatewayDurableResumeTest, AfterKillMinus9TokenReplaysWithoutGapOrResetsWithAReason) {
  const Seen before = firstRun();
  ASSERT_EQ(before.markers, (std::vector<std::string>{"before-1", "before-2"}));
  gatewayStub_.reset();
  ASSERT_TRUE(gateway_->sendSignal(SIGKILL));
  ASSERT_TRUE(gateway_->waitExit(kStartDeadline));
  gateway_.reset();

  ASSERT_NO_FATAL_FAILURE(restartedGateway());
  // Heartbeats make the start visible: a replay of nothing is a heartbeat, a reset is not.
  auto resumed = subscribe("durable", before.lastToken, 200ms);
  auto first = resumed->next();
  ASSERT_TRUE(first);
  std::vector<std::string> markers;
  std::vector<std::uint64_t> sequences;
  if (first->has_reset()) {
    EXPECT_FALSE(first->reset().reason().empty());
    RecordProperty("start", "reset: " + first->reset().reason());
    ASSERT_NO_FATAL_FAILURE(skipSnapshot(*resumed));
  } else {
    // A replay continues exactly after the token: no snapshot, only events after before-2.
    RecordProperty("start", "replay");
    ASSERT_TRUE(first->has_heartbeat() || first->has_event()) << first->DebugString();
    if (first->has_event()) {
      EXPECT_FALSE(first->event().snapshot());
      sequences.push_back(first->event().sequence());
      if (!markerOf(first->event()).empty()) markers.push_back(markerOf(first->event()));
    }
  }
  emitMarked("after-1");
  const Seen after = readUntil(*resumed, "after-1");
  markers.insert(markers.end(), after.markers.begin(), after.markers.end());
  sequences.insert(sequences.end(), after.sequences.begin(), after.sequences.end());
  // The cluster answers the re-registration with the current state of each type (here
  // before-2). After a clean stop the log's latest events suppress it; a kill -9 may lose the
  // log's record of it, and then it is published again: a repeat of the state, under a new
  // number, never a gap.
  std::erase(markers, "before-2");
  EXPECT_EQ(markers, (std::vector<std::string>{"after-1"})) << "nothing missed";
  ASSERT_FALSE(sequences.empty());
  EXPECT_GT(sequences.front(), before.sequences.back()) << "a number given twice";
  EXPECT_TRUE(std::is_sorted(sequences.begin(), sequences.end()));
}

}  // namespace
}  // namespace crnp::integration
