// Events in a replicated deployment: the leader receives them and appends them to the log in
// etcd; every replica streams them from its watch of that log, each once and in order, under
// the same resume token (the log's revision) on every replica.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ha_fixture.hpp"

namespace crnp::ha {
namespace {

using HaEventsTest = HaFixture;

TEST_F(HaEventsTest, MarkersReachAStreamOnEveryReplicaOnceAndInOrder) {
  const auto streams = registerAndSubscribeAll("ha-events", follower(0));
  const std::vector<std::string> sent{"m-1", "m-2", "m-3", "m-4", "m-5"};
  for (const auto& marker : sent) emitMarked(marker);
  readAllUntil(streams, sent.back());

  for (int i = 0; i < kReplicas; ++i) {
    SCOPED_TRACE(ReplicaSet::name(i) + (i == leader_ ? " (leader)" : " (follower)"));
    const StreamLog& stream = *streams[i];
    EXPECT_EQ(stream.markers(), sent) << stream.describe();
    EXPECT_EQ(stream.duplicates(), 0) << stream.describe();
    EXPECT_EQ(stream.resets(), 0) << stream.describe();
    // One log, one position per event: a token is the same wherever it was served.
    EXPECT_EQ(stream.markerTokens(), streams[leader_]->markerTokens());
  }
  for (auto* stream : streams) EXPECT_FALSE(stream->ended()) << stream->describe();
}

}  // namespace
}  // namespace crnp::ha
