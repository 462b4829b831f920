// One etcd member of three down (killed, later restarted): etcd keeps its quorum, so every
// replica still takes registrations and streams events, before and after the member returns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ha_fixture.hpp"

namespace crnp::ha {
namespace {

using integration::eventType;
using integration::kConvergeDeadline;

class HaEtcdMemberLossTest : public HaFixture {
 protected:
  /// A registration made on each replica in turn is served by every replica.
  void expectRegistrationsWorkEverywhere(const std::string& prefix) {
    for (int on = 0; on < kReplicas; ++on) {
      const std::string id = prefix + "-" + ReplicaSet::name(on);
      const auto status = registerTypes(stub(on), id, {eventType("EC_Cluster")});
      EXPECT_TRUE(status.ok()) << ReplicaSet::name(on) << ": " << status.error_message();
      for (int i = 0; i < kReplicas; ++i) {
        EXPECT_TRUE(crnp::test::eventually(
            [&] {
              gw::Registration ignored;
              return getRegistration(stub(i), id, &ignored).ok();
            },
            kConvergeDeadline))
            << ReplicaSet::name(i) << " does not serve " << id;
      }
    }
  }
};

TEST_F(HaEtcdMemberLossTest, RegistrationsAndEventsWorkWithAMemberDownAndAfterItReturns) {
  const auto streams = registerAndSubscribeAll("ha-etcd", follower(0));
  emitMarked("m-1");
  readAllUntil(streams, "m-1");

  // Member 0 is the first endpoint of every replica, so each loses the connection it used.
  etcd_->kill(0);
  // When m0 led the raft group, etcd itself serves no writes until the others elect a leader.
  ASSERT_TRUE(etcd_->waitRunningHealthy(10s)) << etcd_->logTail(1);
  {
    SCOPED_TRACE("etcd member m0 down");
    expectRegistrationsWorkEverywhere("ha-down");
    emitMarked("m-2");
    readAllUntil(streams, "m-2", 30000ms);
  }
  etcd_->restart(0);
  {
    SCOPED_TRACE("etcd member m0 back");
    expectRegistrationsWorkEverywhere("ha-back");
    emitMarked("m-3");
    readAllUntil(streams, "m-3", 30000ms);
  }

  const std::vector<std::string> sent{"m-1", "m-2", "m-3"};
  for (int i = 0; i < kReplicas; ++i) {
    SCOPED_TRACE(ReplicaSet::name(i));
    EXPECT_EQ(firstArrivals(streams[i]->markers()), sent) << streams[i]->describe();
    EXPECT_EQ(streams[i]->resets(), 0) << streams[i]->describe();
    EXPECT_FALSE(streams[i]->ended()) << streams[i]->describe();
    RecordProperty("duplicates_" + ReplicaSet::name(i), streams[i]->duplicates());
  }
}

}  // namespace
}  // namespace crnp::ha
