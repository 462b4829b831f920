// EtcdRegistry on a real 3-member etcd: shared by two instances, durable across a restart,
// working with a member down, and refusing writes (changing nothing) when all are down.
#include "etcd_registry.hpp"

#include <gtest/gtest.h>

#include "etcd_test_support.hpp"
#include "eventually.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;
using crnp::test::eventually;
using etcd::testing::connectOrFail;
using etcd::testing::EtcdCluster;

constexpr const char* kPrefix = "/crnp-test";

RegistrationRecord record(const std::string& id, const std::string& subclass = "ESC_x") {
  RegistrationRecord r;
  r.id = id;
  r.types.push_back({"EC_Cluster", subclass, {{"rg_name", {"rg1", "rg2"}}}});
  r.createTime = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  r.updateTime = r.createTime + 5s;
  return r;
}

std::unique_ptr<Registry> openOrFail(const etcd::EtcdClientPtr& client) {
  auto opened = EtcdRegistry::open(client, kPrefix);
  EXPECT_TRUE(opened.registry) << opened.error;
  return std::move(opened.registry);
}

TEST(EtcdRegistry, APutOnOneInstanceIsSeenByTheOtherAndSoIsARemoval) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto one = openOrFail(connectOrFail(cluster));
  auto two = openOrFail(connectOrFail(cluster));
  ASSERT_TRUE(one && two);

  ASSERT_EQ(one->put(record("alpha")), std::nullopt);
  EXPECT_EQ(one->get("alpha"), record("alpha"));  // the writer reads its own write at once
  ASSERT_TRUE(eventually([&] { return two->get("alpha").has_value(); }, 5s));
  EXPECT_EQ(two->get("alpha"), record("alpha"));
  EXPECT_EQ(two->typesOf("alpha"), record("alpha").types);

  ASSERT_EQ(two->put(record("alpha", "ESC_changed")), std::nullopt);
  ASSERT_TRUE(eventually([&] { return one->get("alpha") == record("alpha", "ESC_changed"); }));

  ASSERT_EQ(two->put(record("beta")), std::nullopt);
  ASSERT_EQ(one->remove("alpha"), std::nullopt);
  EXPECT_FALSE(one->get("alpha"));
  ASSERT_TRUE(eventually([&] { return !two->get("alpha") && two->get("beta"); }));
  ASSERT_TRUE(eventually([&] { return one->size() == 1; }));
  EXPECT_EQ(one->list(), two->list());
  EXPECT_EQ(one->remove("never-there"), std::nullopt);
}

TEST(EtcdRegistry, ARestartedInstanceLoadsWhatIsStored) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  {
    auto registry = openOrFail(client);
    ASSERT_TRUE(registry);
    for (const auto* id : {"c", "a", "b"}) ASSERT_EQ(registry->put(record(id)), std::nullopt);
    ASSERT_EQ(registry->remove("b"), std::nullopt);
  }
  auto reopened = openOrFail(connectOrFail(cluster));
  ASSERT_TRUE(reopened);
  const auto all = reopened->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], record("a"));
  EXPECT_EQ(all[1], record("c"));
}

TEST(EtcdRegistry, KeepsWorkingWithOneMemberDown) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto one = openOrFail(connectOrFail(cluster));
  auto two = openOrFail(connectOrFail(cluster));
  ASSERT_TRUE(one && two);
  ASSERT_EQ(one->put(record("before")), std::nullopt);
  cluster.kill(1);
  ASSERT_TRUE(cluster.waitRunningHealthy(10s));  // a new raft leader, if member 1 led
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(one->put(record("after" + std::to_string(i))), std::nullopt);
  }
  ASSERT_EQ(two->remove("before"), std::nullopt);
  ASSERT_TRUE(eventually([&] { return two->size() == 6 && one->size() == 6; }, 10s))
      << one->size() << " " << two->size();
  EXPECT_EQ(one->list(), two->list());
}

TEST(EtcdRegistry, WithEveryMemberDownAPutFailsClearlyAndChangesNothing) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto registry = openOrFail(connectOrFail(cluster));
  ASSERT_TRUE(registry);
  ASSERT_EQ(registry->put(record("kept")), std::nullopt);
  for (int i = 0; i < 3; ++i) cluster.kill(i);
  const auto error = registry->put(record("lost"));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("etcd put " + std::string(kPrefix) + "/registrations/lost"),
            std::string::npos)
      << *error;
  const auto removeError = registry->remove("kept");
  ASSERT_TRUE(removeError.has_value());
  EXPECT_FALSE(registry->get("lost"));
  EXPECT_EQ(registry->get("kept"), record("kept"));
  EXPECT_EQ(registry->size(), 1u);

  // Back up: the registry's watch resumes, and writes work again.
  for (int i = 0; i < 3; ++i) cluster.restart(i, /*waitUntilHealthy=*/false);
  ASSERT_TRUE(cluster.waitRunningHealthy(20s));
  std::optional<std::string> lastError;
  ASSERT_TRUE(eventually(
      [&] {
        lastError = registry->put(record("later"));
        return !lastError.has_value();
      },
      30s))
      << lastError.value_or("");
  EXPECT_EQ(registry->size(), 2u);
}

TEST(EtcdRegistry, AnUnreadableRecordFailsTheOpenNamingItsKey) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->put(std::string(kPrefix) + "/registrations/bad", "{not json").ok());
  auto opened = EtcdRegistry::open(client, kPrefix);
  ASSERT_FALSE(opened.registry);
  EXPECT_NE(opened.error.find("/registrations/bad"), std::string::npos) << opened.error;
}

// The registry talks to member 0 only; while it is down, the others change the store and
// compact the history, so its watch comes back to a compacted revision and must reload.
TEST(EtcdRegistry, ReloadsWhenItsWatchFindsTheHistoryCompacted) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto onlyMember0 = connectOrFail(etcd::testing::optionsFor({cluster.endpoint(0)}));
  ASSERT_TRUE(onlyMember0);
  auto registry = openOrFail(onlyMember0);
  ASSERT_TRUE(registry);
  ASSERT_EQ(registry->put(record("a")), std::nullopt);

  cluster.kill(0);
  ASSERT_TRUE(cluster.waitRunningHealthy(10s));
  auto others =
      connectOrFail(etcd::testing::optionsFor({cluster.endpoint(1), cluster.endpoint(2)}));
  ASSERT_TRUE(others);
  auto otherRegistry = openOrFail(others);
  ASSERT_TRUE(otherRegistry);
  ASSERT_EQ(otherRegistry->put(record("b")), std::nullopt);
  ASSERT_EQ(otherRegistry->remove("a"), std::nullopt);
  auto last = others->put("/unrelated", "x");
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(others->compact(last.value().header().revision()).ok());
  EXPECT_TRUE(registry->get("a"));  // still the state before the outage

  cluster.restart(0);
  ASSERT_TRUE(eventually([&] { return !registry->get("a") && registry->get("b"); }, 30s));
  EXPECT_EQ(registry->list(), otherRegistry->list());
}

}  // namespace
}  // namespace gateway
