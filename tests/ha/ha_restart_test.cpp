// Every replica restarted (SIGTERM, then started again on the same etcd prefix and data dirs):
// registrations are still there and a client's token resumes on any replica without a reset,
// since a token is a position in the log in etcd, not in one process.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ha_fixture.hpp"

namespace crnp::ha {
namespace {

using HaRestartTest = HaFixture;

TEST_F(HaRestartTest, ATokenResumesOnAnyReplicaAfterEveryReplicaRestarted) {
  const auto streams = registerAndSubscribeAll("ha-restart", follower(0));
  // One at a time: a burst is HaEventsTest's subject, this test's is the restart.
  emitMarked("before-1");
  readAllUntil(streams, "before-1");
  emitMarked("before-2");
  readAllUntil(streams, "before-2");
  const StreamLog& earlier = *streams[0];
  const std::string token = earlier.lastToken();
  ASSERT_FALSE(token.empty()) << earlier.describe();
  // Clients go before their servers (see GatewayProcessFixture::TearDown).
  for (auto* stream : streams) stream->close();

  ASSERT_TRUE(replicas_->stopAll()) << "a replica did not stop cleanly";
  ASSERT_NO_FATAL_FAILURE(replicas_->startAll());
  leader_ = replicas_->waitForLeader(kFirstLeaderDeadline);
  ASSERT_GE(leader_, 0) << "no leader after the restart";
  emitMarked("after-1");

  for (int i = 0; i < kReplicas; ++i) {
    const auto status = replicas_->deployment(i);
    SCOPED_TRACE("resumed on " + ReplicaSet::name(i) + " with " + token + ", its deployment " +
                 (status ? status->ShortDebugString() : "unknown"));
    gw::Registration kept;
    EXPECT_TRUE(getRegistration(stub(i), "ha-restart", &kept).ok());
    StreamLog& resumed = subscribeOn(i, "ha-restart", token);
    resumed.continues(earlier);
    EXPECT_TRUE(resumed.readUntilMarker("after-1", 30000ms)) << resumed.describe();
    EXPECT_EQ(resumed.resets(), 0) << resumed.describe();
    EXPECT_EQ(resumed.snapshotEnds(), 0) << "a replay has no snapshot: " << resumed.describe();
    EXPECT_EQ(firstArrivals(concat(earlier.markers(), resumed.markers())),
              (std::vector<std::string>{"before-1", "before-2", "after-1"}))
        << resumed.describe();
    RecordProperty("duplicates_" + ReplicaSet::name(i), resumed.duplicates());
  }
}

}  // namespace
}  // namespace crnp::ha
