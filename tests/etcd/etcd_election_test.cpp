// The Election service through EtcdClient: campaign, leader, proclaim, observe, resign, and
// cancelling a campaign that waits.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "etcd_leader_observer.hpp"
#include "etcd_test_support.hpp"
#include "eventually.hpp"

namespace gateway::etcd {
namespace {

using namespace std::chrono_literals;
using crnp::test::eventually;
using testing::connectOrFail;
using testing::EtcdCluster;

std::int64_t grant(EtcdClient& client) {
  auto lease = client.leaseGrant(10s);
  EXPECT_TRUE(lease.ok()) << (lease.ok() ? "" : lease.error().message);
  return lease.ok() ? lease.value().id() : 0;
}

TEST(EtcdElection, SecondCampaignerWaitsUntilTheLeaderResigns) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto a = connectOrFail(cluster);
  auto b = connectOrFail(cluster);
  ASSERT_TRUE(a && b);

  std::mutex mutex;
  std::vector<std::string> seen;
  EtcdLeaderObserver observer(
      a, "/election/leader",
      [&](const mvccpb::KeyValue& kv) {
        std::lock_guard lock(mutex);
        if (seen.empty() || seen.back() != kv.value()) seen.push_back(kv.value());
      },
      nullptr);

  auto leaderA = a->campaign("/election/leader", grant(*a), "replica-a");
  ASSERT_TRUE(leaderA.ok()) << leaderA.error().message;
  auto current = a->leader("/election/leader");
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_EQ(current.value().value(), "replica-a");

  auto campaignB = std::async(
      std::launch::async, [&] { return b->campaign("/election/leader", grant(*b), "replica-b"); });
  EXPECT_EQ(campaignB.wait_for(700ms), std::future_status::timeout) << "b led while a did";

  ASSERT_TRUE(a->proclaim(leaderA.value(), "replica-a v2").ok());
  EXPECT_EQ(a->leader("/election/leader").value().value(), "replica-a v2");

  ASSERT_TRUE(a->resign(leaderA.value()).ok());
  ASSERT_EQ(campaignB.wait_for(5s), std::future_status::ready);
  auto leaderB = campaignB.get();
  ASSERT_TRUE(leaderB.ok()) << leaderB.error().message;
  EXPECT_EQ(b->leader("/election/leader").value().value(), "replica-b");

  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !seen.empty() && seen.back() == "replica-b";
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, (std::vector<std::string>{"replica-a", "replica-a v2", "replica-b"}));
}

TEST(EtcdElection, LeadershipEndsWithTheLease) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  const auto lease = grant(*client);
  ASSERT_TRUE(client->campaign("/e", lease, "me").ok());
  ASSERT_TRUE(client->leaseRevoke(lease).ok());
  auto nobody = client->leader("/e");
  ASSERT_FALSE(nobody.ok());
  EXPECT_NE(nobody.error().message.find("leader of /e"), std::string::npos)
      << nobody.error().message;
}

TEST(EtcdElection, AWaitingCampaignCanBeCancelled) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->campaign("/e", grant(*client), "first").ok());
  EtcdCancellation cancel;
  auto waiting = std::async(std::launch::async, [&] {
    return client->campaign("/e", grant(*client), "second", &cancel);
  });
  EXPECT_EQ(waiting.wait_for(300ms), std::future_status::timeout);
  cancel.cancel();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  auto result = waiting.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, grpc::StatusCode::CANCELLED) << result.error().message;
  // Cancelled before it starts: no call at all.
  auto late = client->campaign("/e", grant(*client), "third", &cancel);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, grpc::StatusCode::CANCELLED);
  EXPECT_EQ(client->leader("/e").value().value(), "first");
}

}  // namespace
}  // namespace gateway::etcd
