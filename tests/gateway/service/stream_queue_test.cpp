// StreamQueue without gRPC, sockets or clocks: the order of a stream's messages, the resume
// position each carries, the limits, going_away and heartbeats.
#include "stream_queue.hpp"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crnp/gateway/v1/gateway.pb.h"

namespace gateway {
namespace {

namespace pb = crnp::gateway::v1;
using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);
constexpr std::uint64_t kEpoch = 7;

std::string tokenFor(std::uint64_t position) { return encodeResumeToken({kEpoch, position}); }

StoredEventPtr event(std::uint64_t sequence, const std::string& group = "g") {
  return std::make_shared<const StoredEvent>(
      sequence,
      crnp::Event{"1.0",
                  "EC_Cluster",
                  "ESC_cluster_rg_state",
                  "SUNW",
                  "rgm",
                  {{"rg_name", {group}}, {"state_list", {std::to_string(sequence)}}}},
      kNow, kEpoch);
}

pb::SubscribeResponse parse(const grpc::ByteBuffer& buffer) {
  grpc::ByteBuffer copy(buffer);
  pb::SubscribeResponse response;
  EXPECT_TRUE(grpc::SerializationTraits<pb::SubscribeResponse>::Deserialize(&copy, &response).ok());
  return response;
}

// What a stream's client would read: "event:N", "snapshot:N", "snapshot_end", "reset",
// "heartbeat", "going_away", each with the position of its token.
std::string describe(const grpc::ByteBuffer& buffer) {
  const auto response = parse(buffer);
  const auto token = decodeResumeToken(response.resume_token());
  const std::string at = "@" + (token ? std::to_string(token->sequence) : "?");
  if (response.has_event()) {
    return std::string(response.event().snapshot() ? "snapshot:" : "event:") +
           std::to_string(response.event().sequence()) + at;
  }
  if (response.has_snapshot_end()) return "snapshot_end" + at;
  if (response.has_reset()) return "reset" + at;
  if (response.has_heartbeat()) return "heartbeat" + at;
  if (response.has_going_away()) return "going_away" + at;
  if (response.has_batch()) {
    std::string text = "batch[";
    for (const auto& entry : response.batch().events()) {
      const auto entryToken = decodeResumeToken(entry.resume_token());
      text += std::string(entry.event().snapshot() ? "snapshot:" : "event:") +
              std::to_string(entry.event().sequence()) + "@" +
              (entryToken ? std::to_string(entryToken->sequence) : "?") + " ";
    }
    text.back() = ']';
    return text + at;
  }
  return "?";
}

class StreamQueueTest : public ::testing::Test {
 protected:
  StreamQueue queue_{{3, 1u << 20}, tokenFor};

  /// Writes everything the queue gives, completing each write.
  std::vector<std::string> drain() {
    std::vector<std::string> written;
    while (auto write = queue_.next(kNow)) {
      written.push_back(describe(write->message) + (write->last ? " (last)" : ""));
      queue_.written();
      if (write->last) break;
    }
    return written;
  }
};

TEST_F(StreamQueueTest, NothingIsWrittenBeforeTheStartAndEarlyEventsWaitBehindIt) {
  EXPECT_EQ(queue_.offer(event(6), true), StreamQueue::Offered::Queued);
  EXPECT_FALSE(queue_.next(kNow));
  AttachResult attached;
  attached.events = {event(4), event(5)};
  attached.sequence = 5;
  queue_.start(attached, 0);
  EXPECT_EQ(drain(), (std::vector<std::string>{"snapshot:4@4", "snapshot:5@5", "snapshot_end@5",
                                               "event:6@6"}));
}

TEST_F(StreamQueueTest, AReplayHasNoSnapshotEndAndAResetComesFirst) {
  AttachResult replay;
  replay.snapshot = false;
  replay.events = {event(3)};
  replay.sequence = 3;
  queue_.start(replay, 2);
  EXPECT_EQ(drain(), (std::vector<std::string>{"event:3@3"}));

  StreamQueue reset({3, 1u << 20}, tokenFor);
  AttachResult fresh;
  fresh.resetReason = "token too old";
  fresh.sequence = 9;
  reset.start(fresh, 0);
  std::vector<std::string> written;
  while (auto write = reset.next(kNow)) {
    written.push_back(describe(write->message));
    reset.written();
  }
  EXPECT_EQ(written, (std::vector<std::string>{"reset@9", "snapshot_end@9"}));
}

TEST_F(StreamQueueTest, FilteredEventsMoveThePositionThatHeartbeatsCarry) {
  queue_.start(AttachResult{{}, true, {}, 2}, 0);
  drain();
  EXPECT_EQ(queue_.offer(event(3), false), StreamQueue::Offered::Skipped);
  EXPECT_FALSE(queue_.next(kNow));
  queue_.heartbeatDue();
  EXPECT_EQ(drain(), (std::vector<std::string>{"heartbeat@3"}));
}

TEST_F(StreamQueueTest, AHeartbeatIsDroppedWhenAnEventIsWaiting) {
  queue_.start(AttachResult{{}, true, {}, 0}, 0);
  drain();
  queue_.heartbeatDue();
  queue_.offer(event(1), true);
  EXPECT_EQ(drain(), (std::vector<std::string>{"event:1@1"}));
}

TEST_F(StreamQueueTest, OverTheEventLimitTheStreamMustEndAtItsLastCompletedWrite) {
  queue_.start(AttachResult{{}, true, {}, 0}, 0);
  drain();  // snapshot_end@0 completed
  for (std::uint64_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(queue_.offer(event(i), true), StreamQueue::Offered::Queued);
  }
  EXPECT_EQ(queue_.liveEvents(), 3u);
  auto inFlight = queue_.next(kNow);  // event 1 written but not completed
  ASSERT_TRUE(inFlight);
  EXPECT_EQ(queue_.offer(event(4), true), StreamQueue::Offered::Queued);
  EXPECT_EQ(queue_.offer(event(5), true), StreamQueue::Offered::Overflow);
  EXPECT_EQ(queue_.completedToken(), tokenFor(0));
  queue_.written();
  EXPECT_EQ(queue_.completedToken(), tokenFor(1));
}

TEST_F(StreamQueueTest, OneEventIsAlwaysAllowedWhateverItsSize) {
  StreamQueue small({10, 1}, tokenFor);
  small.start(AttachResult{{}, true, {}, 0}, 0);
  EXPECT_EQ(small.offer(event(1), true), StreamQueue::Offered::Queued);
  EXPECT_EQ(small.offer(event(2), true), StreamQueue::Offered::Overflow);
}

TEST_F(StreamQueueTest, GoingAwayComesAfterWhatIsQueuedWithThePositionReached) {
  queue_.start(AttachResult{{}, true, {}, 0}, 0);
  queue_.offer(event(1), true);
  queue_.offer(event(2), false);
  queue_.goAway("maximum age");
  EXPECT_EQ(queue_.offer(event(3), true), StreamQueue::Offered::Skipped);
  EXPECT_EQ(drain(),
            (std::vector<std::string>{"snapshot_end@0", "event:1@1", "going_away@2 (last)"}));
}

TEST_F(StreamQueueTest, ClearForgetsWhatIsQueued) {
  queue_.start(AttachResult{{}, true, {}, 0}, 0);
  queue_.offer(event(1), true);
  queue_.clear();
  EXPECT_TRUE(queue_.empty());
  EXPECT_EQ(queue_.liveEvents(), 0u);
  EXPECT_FALSE(queue_.next(kNow));
}

// Batching (max_batch > 1): events waiting back to back leave as one message; each keeps its
// own token; control messages (reset, snapshot_end, heartbeat, going_away) stay messages of
// their own; an event that finds the queue empty is written alone, at once.
TEST_F(StreamQueueTest, EventsWaitingBackToBackLeaveAsOneBatchUpToMaxBatch) {
  StreamQueue batched({100, 1u << 20, 3}, tokenFor);
  AttachResult attached;
  attached.events = {event(1, "a"), event(2, "b")};
  attached.sequence = 2;
  for (std::uint64_t i = 3; i <= 7; ++i) batched.offer(event(i), true);
  batched.start(attached, 0);
  std::vector<std::string> written;
  while (auto write = batched.next(kNow)) {
    written.push_back(describe(write->message));
    batched.written();
  }
  EXPECT_EQ(written,
            (std::vector<std::string>{"batch[snapshot:1@1 snapshot:2@2]@2", "snapshot_end@2",
                                      "batch[event:3@3 event:4@4 event:5@5]@5",
                                      "batch[event:6@6 event:7@7]@7"}));
  EXPECT_EQ(batched.completedToken(), tokenFor(7));
  EXPECT_EQ(batched.liveEvents(), 0u);
}

TEST_F(StreamQueueTest, AnEventThatFindsTheStreamIdleIsWrittenAloneAtOnce) {
  StreamQueue batched({100, 1u << 20, 64}, tokenFor);
  batched.start(AttachResult{{}, true, {}, 0}, 0);
  ASSERT_TRUE(batched.next(kNow));  // snapshot_end
  batched.written();
  batched.offer(event(1), true);
  auto write = batched.next(kNow);
  ASSERT_TRUE(write);
  EXPECT_EQ(describe(write->message), "event:1@1");
  // While it is in flight, two more arrive: they go together next.
  batched.offer(event(2), true);
  batched.offer(event(3), true);
  batched.written();
  write = batched.next(kNow);
  ASSERT_TRUE(write);
  EXPECT_EQ(describe(write->message), "batch[event:2@2 event:3@3]@3");
  EXPECT_EQ(write->liveReceived.size(), 2u);  // each live event's latency is observed
}

TEST_F(StreamQueueTest, ABatchEndsBeforeItWouldExceedItsByteLimit) {
  const std::size_t eventBytes = event(1)->bytes;
  StreamQueue batched({100, 1u << 20, 64, 2 * eventBytes + 1}, tokenFor);
  batched.start(AttachResult{{}, true, {}, 0}, 0);
  for (std::uint64_t i = 1; i <= 5; ++i) batched.offer(event(i), true);
  std::vector<std::string> written;
  while (auto write = batched.next(kNow)) {
    written.push_back(describe(write->message));
    batched.written();
  }
  EXPECT_EQ(written, (std::vector<std::string>{"snapshot_end@0", "batch[event:1@1 event:2@2]@2",
                                               "batch[event:3@3 event:4@4]@4", "event:5@5"}));
}

TEST_F(StreamQueueTest, ABatchEntryIsByteForByteTheEventsOwnMessage) {
  StreamQueue batched({100, 1u << 20, 8}, tokenFor);
  batched.start(AttachResult{{}, true, {}, 0}, 0);
  (void)batched.next(kNow);
  batched.written();
  const auto first = event(1, "x");
  const auto second = event(2, "y");
  batched.offer(first, true);
  batched.offer(second, true);
  const auto write = batched.next(kNow);
  ASSERT_TRUE(write);
  const auto response = parse(write->message);
  ASSERT_EQ(response.batch().events_size(), 2);
  const auto alone = parse(first->live);
  EXPECT_EQ(response.batch().events(0).resume_token(), alone.resume_token());
  EXPECT_EQ(response.batch().events(0).event().SerializeAsString(),
            alone.event().SerializeAsString());
  EXPECT_EQ(response.batch().events(1).event().nvpairs(0).values(0), "y");
  EXPECT_EQ(response.resume_token(), tokenFor(2));
}

}  // namespace
}  // namespace gateway
