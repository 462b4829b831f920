// EtcdClient against a real etcd: KV, transactions, leases, errors, TLS and authentication.
#include <gtest/gtest.h>

#include <thread>

#include "etcd_channel.hpp"
#include "etcd_keys.hpp"
#include "etcd_lease_keeper.hpp"
#include "etcd_test_support.hpp"
#include "etcd_watch.hpp"
#include "eventually.hpp"
#include "test_pki.hpp"

namespace gateway::etcd {
namespace {

using namespace std::chrono_literals;
using testing::connectOrFail;
using testing::EtcdCluster;
using testing::optionsFor;

TEST(EtcdKeys, PrefixRangeEndIncrementsTheLastByteBelowFf) {
  EXPECT_EQ(prefixRangeEnd("/a/"), "/a0");
  EXPECT_EQ(prefixRangeEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefixRangeEnd(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

TEST(EtcdChannel, EndpointsBecomeOneIpv4TargetAndBadOnesAreNamed) {
  auto target = etcdChannelTarget({"127.0.0.1:2379", "http://127.0.0.2:2380", "localhost:1"});
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(target.value(), "ipv4:127.0.0.1:2379,127.0.0.2:2380,127.0.0.1:1");
  for (const std::string bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", ":2379", "a:b"}) {
    auto result = etcdChannelTarget({bad});
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_NE(result.error().message.find(bad), std::string::npos) << result.error().message;
  }
  EXPECT_FALSE(etcdChannelTarget({}).ok());
}

TEST(EtcdClient, PutRangePrefixLimitRevisionAndDelete) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto first = client->put("/t/a", "1");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(client->put("/t/b", "2").ok());
  ASSERT_TRUE(client->put("/u/c", "3").ok());
  ASSERT_TRUE(client->put("/t/a", "1b").ok());

  auto one = client->range({"/t/a"});
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one.value().kvs_size(), 1);
  EXPECT_EQ(one.value().kvs(0).value(), "1b");
  EXPECT_EQ(one.value().kvs(0).version(), 2);

  auto prefix = client->range({"/t/", true});
  ASSERT_TRUE(prefix.ok());
  ASSERT_EQ(prefix.value().kvs_size(), 2);
  EXPECT_EQ(prefix.value().kvs(0).key(), "/t/a");
  EXPECT_EQ(prefix.value().kvs(1).key(), "/t/b");

  auto limited = client->range({"/t/", true, 0, 1});
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited.value().kvs_size(), 1);
  EXPECT_TRUE(limited.value().more());

  auto old = client->range({"/t/a", false, first.value().header().revision()});
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old.value().kvs_size(), 1);
  EXPECT_EQ(old.value().kvs(0).value(), "1");

  auto removed = client->remove("/t/", true);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed.value().deleted(), 2);
  EXPECT_EQ(client->range({"/t/", true}).value().kvs_size(), 0);
  EXPECT_EQ(client->range({"/u/c"}).value().kvs_size(), 1);
}

TEST(EtcdClient, TxnComparesCreateRevisionAndValue) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  // Create-if-absent: compare create_revision == 0.
  auto createIfAbsent = [&](const std::string& value) {
    etcdserverpb::TxnRequest txn;
    auto* compare = txn.add_compare();
    compare->set_key("/owner");
    compare->set_target(etcdserverpb::Compare::CREATE);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_create_revision(0);
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key("/owner");
    put->set_value(value);
    txn.add_failure()->mutable_request_range()->set_key("/owner");
    return client->txn(txn);
  };
  auto first = createIfAbsent("a");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first.value().succeeded());
  auto second = createIfAbsent("b");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second.value().succeeded());
  ASSERT_EQ(second.value().responses_size(), 1);
  EXPECT_EQ(second.value().responses(0).response_range().kvs(0).value(), "a");

  etcdserverpb::TxnRequest swap;
  auto* compare = swap.add_compare();
  compare->set_key("/owner");
  compare->set_target(etcdserverpb::Compare::VALUE);
  compare->set_value("a");
  auto* put = swap.add_success()->mutable_request_put();
  put->set_key("/owner");
  put->set_value("c");
  auto swapped = client->txn(swap);
  ASSERT_TRUE(swapped.ok());
  EXPECT_TRUE(swapped.value().succeeded());
  EXPECT_EQ(client->range({"/owner"}).value().kvs(0).value(), "c");
}

TEST(EtcdClient, LeaseKeysGoWithTheLeaseAndTheKeeperKeepsItAlive) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto lease = client->leaseGrant(2s);
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  const auto id = lease.value().id();
  ASSERT_TRUE(client->put("/leased", "x", id).ok());
  {
    std::atomic<int> lost{0};
    EtcdLeaseKeeper keeper(client, id, 2s, [&](const std::string&) { ++lost; });
    std::this_thread::sleep_for(3500ms);  // longer than the TTL: only renewals keep the key
    EXPECT_EQ(client->range({"/leased"}).value().kvs_size(), 1);
    EXPECT_GE(keeper.renewals(), 2);
    EXPECT_EQ(lost.load(), 0);
    auto ttl = client->leaseTimeToLive(id);
    ASSERT_TRUE(ttl.ok());
    EXPECT_GT(ttl.value().ttl(), 0);
    EXPECT_EQ(ttl.value().grantedttl(), 2);
  }
  ASSERT_TRUE(client->leaseRevoke(id).ok());
  EXPECT_EQ(client->range({"/leased"}).value().kvs_size(), 0);
  auto gone = client->leaseTimeToLive(id);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone.value().ttl(), -1);
}

TEST(EtcdClient, KeeperReportsALeaseRevokedElsewhere) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto lease = client->leaseGrant(3s);
  ASSERT_TRUE(lease.ok());
  std::mutex mutex;
  std::string why;
  EtcdLeaseKeeper keeper(client, lease.value().id(), 3s, [&](const std::string& reason) {
    std::lock_guard lock(mutex);
    why = reason;
  });
  ASSERT_TRUE(client->leaseRevoke(lease.value().id()).ok());
  ASSERT_TRUE(crnp::test::eventually([&] { return keeper.lost(); }, 5s));
  std::lock_guard lock(mutex);
  EXPECT_NE(why.find("expired or was revoked"), std::string::npos) << why;
}

TEST(EtcdClient, KeeperReportsALeaseItCouldNotRenewForItsTtl) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto lease = client->leaseGrant(2s);
  ASSERT_TRUE(lease.ok());
  std::mutex mutex;
  std::string why;
  EtcdLeaseKeeper keeper(client, lease.value().id(), 2s, [&](const std::string& reason) {
    std::lock_guard lock(mutex);
    why = reason;
  });
  cluster.kill(0);
  ASSERT_TRUE(crnp::test::eventually([&] { return keeper.lost(); }, 6s));
  std::lock_guard lock(mutex);
  EXPECT_NE(why.find("not renewed for its TTL"), std::string::npos) << why;
  EXPECT_NE(why.find(cluster.endpoint(0)), std::string::npos) << why;
}

TEST(EtcdClient, SkipsAKilledMemberAndNamesTheEndpointsWhenAllAreDown) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->put("/k", "1").ok());
  cluster.kill(0);
  // If member 0 led, the others elect a new leader first (a write proposed meanwhile times
  // out: that is etcd's behaviour, not the client's).
  ASSERT_TRUE(cluster.waitRunningHealthy(10s));
  for (int i = 0; i < 10; ++i) {  // pick_first was on member 0 (the first): it moved on
    auto put = client->put("/k", std::to_string(i));
    if (!put.ok() && put.error().code == grpc::StatusCode::UNAVAILABLE) {
      put = client->put("/k", std::to_string(i));  // the call that met the dying connection
    }
    ASSERT_TRUE(put.ok()) << put.error().message;
    auto read = client->range({"/k"});
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value().kvs(0).value(), std::to_string(i));
  }
  cluster.kill(1);
  cluster.kill(2);
  auto put = client->put("/k", "down");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.error().message.find("etcd put /k"), std::string::npos) << put.error().message;
  EXPECT_TRUE(put.error().code == grpc::StatusCode::UNAVAILABLE ||
              put.error().code == grpc::StatusCode::DEADLINE_EXCEEDED)
      << put.error().message;

  auto options = optionsFor(cluster.endpoints());
  options.dialTimeout = 300ms;
  auto none = EtcdClient::connect(options);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find(cluster.endpointList()), std::string::npos)
      << none.error().message;
}

TEST(EtcdClient, TlsWithClientCertificates) {
  CRNP_REQUIRE_ETCD();
  if (!crnp::testing::TestPki::available()) GTEST_SKIP() << "openssl not installed";
  crnp::testing::TestPki pki;
  const auto ca = pki.makeCa("etcd-ca");
  EtcdCluster::Options tls;
  tls.serverTls = pki.issue(ca, "member", "etcd-member", 1);
  tls.clientCa = ca.cert;
  EtcdCluster cluster(1, tls);
  const auto clientCert = pki.issue(ca, "client", "crnp-gateway", 2);

  auto options = optionsFor(cluster.endpoints());
  options.caFile = ca.cert;
  options.certFile = clientCert.cert;
  options.keyFile = clientCert.key;
  auto client = connectOrFail(options);
  ASSERT_TRUE(client);
  auto put = client->put("/tls", "yes");
  ASSERT_TRUE(put.ok()) << put.error().message;

  // Without a client certificate the member refuses the handshake.
  auto noCert = optionsFor(cluster.endpoints());
  noCert.caFile = ca.cert;
  noCert.dialTimeout = 1s;
  EXPECT_FALSE(EtcdClient::connect(noCert).ok());
  // A missing file is named.
  auto missing = optionsFor(cluster.endpoints());
  missing.caFile = (cluster.dir() / "nope.pem").string();
  auto failed = EtcdClient::connect(missing);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("nope.pem"), std::string::npos);
}

// Turns authentication on with a root user (etcdctl's sequence: role root, user root, grant,
// enable).
void enableAuth(EtcdClient& client, const std::string& password) {
  auto& auth = client.authStub();
  auto call = [](auto method) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    const auto status = method(context);
    ASSERT_TRUE(status.ok()) << status.error_message();
  };
  etcdserverpb::AuthRoleAddRequest role;
  role.set_name("root");
  etcdserverpb::AuthRoleAddResponse roleAdded;
  call([&](auto& c) { return auth.RoleAdd(&c, role, &roleAdded); });
  etcdserverpb::AuthUserAddRequest user;
  user.set_name("root");
  user.set_password(password);
  etcdserverpb::AuthUserAddResponse userAdded;
  call([&](auto& c) { return auth.UserAdd(&c, user, &userAdded); });
  etcdserverpb::AuthUserGrantRoleRequest grant;
  grant.set_user("root");
  grant.set_role("root");
  etcdserverpb::AuthUserGrantRoleResponse granted;
  call([&](auto& c) { return auth.UserGrantRole(&c, grant, &granted); });
  etcdserverpb::AuthEnableRequest enable;
  etcdserverpb::AuthEnableResponse enabled;
  call([&](auto& c) { return auth.AuthEnable(&c, enable, &enabled); });
}

TEST(EtcdClient, AuthenticatesAndAuthenticatesAgainWhenTheTokenExpired) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster::Options options;
  options.authTokenTtlSeconds = 1;
  EtcdCluster cluster(1, options);
  {
    auto admin = connectOrFail(cluster);
    ASSERT_TRUE(admin);
    ASSERT_NO_FATAL_FAILURE(enableAuth(*admin, "s3cret"));
    auto refused = admin->put("/a", "x");  // no token any more
    ASSERT_FALSE(refused.ok());
  }
  auto wrong = optionsFor(cluster.endpoints());
  wrong.username = "root";
  wrong.password = "wrong";
  auto failed = EtcdClient::connect(wrong);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("authenticate as root"), std::string::npos)
      << failed.error().message;

  auto right = optionsFor(cluster.endpoints());
  right.username = "root";
  right.password = "s3cret";
  auto client = connectOrFail(right);
  ASSERT_TRUE(client);
  auto put = client->put("/a", "1");
  ASSERT_TRUE(put.ok()) << put.error().message;
  std::this_thread::sleep_for(3s);  // the simple token expires after 1 s without use
  auto again = client->put("/a", "2");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(client->range({"/a"}).value().kvs(0).value(), "2");
}

}  // namespace
}  // namespace gateway::etcd

namespace gateway::etcd {
namespace {

TEST(EtcdClient, RecoversWhenEveryMemberWasDownAndCameBack) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->put("/k", "1").ok());
  // A watch retrying all along, as the registry's does: it made round_robin fail to recover.
  EtcdWatch watch(client, "/w/", 0, EtcdWatchHandlers{});
  for (int i = 0; i < 3; ++i) cluster.kill(i);
  EXPECT_FALSE(client->put("/k", "2").ok());
  for (int i = 0; i < 3; ++i) cluster.restart(i, /*waitUntilHealthy=*/false);
  ASSERT_TRUE(cluster.waitRunningHealthy(20s));
  std::string lastError;
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(crnp::test::eventually(
      [&] {
        auto put = client->put("/k", "3");
        if (!put.ok()) lastError = put.error().message;
        return put.ok();
      },
      30s))
      << lastError;
  // Recorded for the report, not asserted: about 10 s here with pick_first.
  RecordProperty("recovery_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()));
}

}  // namespace
}  // namespace gateway::etcd
