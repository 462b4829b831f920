// Event delivery of the simulated cl_apid (protocol section 3): snapshot on register, one
// connection per event closed by the server, per-client order, retries then silent removal,
// independence of clients. Callback ports are raw receivers (raw_callback_receiver.hpp).
#include <gtest/gtest.h>

#include "crnp_test_client.hpp"
#include "raw_callback_receiver.hpp"
#include "server_test_harness.hpp"

namespace crnp::sim {
namespace {

using namespace crnp_test;
using testing::groupEvent;
using testing::membershipEvent;
using testing::ServerHarness;
using testing::testConfig;

class DeliveryTest : public ::testing::Test {
 protected:
  explicit DeliveryTest(ServerConfig config = testConfig()) : harness_(std::move(config)) {}
  void SetUp() override { ASSERT_FALSE(harness_.start()); }
  void registerClient(std::uint16_t port, const std::string& body,
                      const char* type = "ADD_CLIENT") {
    const auto reply = exchange(harness_.port(), registration(port, type, body));
    ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  }
  /// Publishes a marker to `receiver` (registered for rg "marker") and waits for it, so that
  /// everything queued before it has arrived: then counts are exact, not "at least".
  void flush(RawCallbackReceiver& receiver) {
    const auto before = receiver.count();
    harness_.server().publish(groupEvent("marker", "ONLINE"));
    ASSERT_TRUE(receiver.waitForConnections(before + 1));
  }
  ServerHarness harness_;
};

TEST_F(DeliveryTest, RegisteringSendsTheLatestEventOfEachNewType) {
  harness_.server().seedLatest(
      {membershipEvent("3"), groupEvent("a", "OFFLINE"), groupEvent("b", "ONLINE")});
  EXPECT_EQ(harness_.server().publish(groupEvent("a", "PENDING_ONLINE")), 0u);  // nobody yet
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeGroup("a") + subscribeGroup("marker"));
  ASSERT_TRUE(receiver.waitForConnections(1));
  registerClient(receiver.port(), subscribeMembership(), "ADD_EVENTS");
  ASSERT_TRUE(receiver.waitForConnections(2));
  registerClient(receiver.port(), subscribeMembership(), "ADD_EVENTS");  // no-op: no snapshot
  flush(receiver);
  const auto got = receiver.connections();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_NE(got[0].bytes.find("PENDING_ONLINE"), std::string::npos) << got[0].bytes;
  EXPECT_EQ(attributeOf(got[1].bytes, "SUBCLASS"), "ESC_cluster_membership");
  EXPECT_NE(got[2].bytes.find("marker"), std::string::npos);
}

TEST_F(DeliveryTest, ClassOnlyRegistrationGetsEveryLatestEventInClusterOrder) {
  harness_.server().seedLatest({groupEvent("b", "ONLINE"), membershipEvent("3")});
  harness_.server().publish(groupEvent("a", "OFFLINE"));
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeAll());
  ASSERT_TRUE(receiver.waitForConnections(3));
  flush(receiver);
  const auto got = receiver.connections();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_NE(got[0].bytes.find("CDATA[b]"), std::string::npos) << got[0].bytes;
  EXPECT_EQ(attributeOf(got[1].bytes, "SUBCLASS"), "ESC_cluster_membership");
  EXPECT_NE(got[2].bytes.find("CDATA[a]"), std::string::npos) << got[2].bytes;
}

TEST_F(DeliveryTest, EachEventTravelsAloneOnAConnectionTheServerCloses) {
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeAll());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(harness_.server().publish(membershipEvent(std::to_string(i))), 1u);
  }
  ASSERT_TRUE(receiver.waitForConnections(5));
  for (const auto& connection : receiver.connections()) {
    EXPECT_TRUE(connection.peerClosed);
    EXPECT_EQ(countOf(connection.bytes, "<SC_EVENT "), 1u) << connection.bytes;
    EXPECT_EQ(attributeOf(connection.bytes, "VERSION"), "1.0");
    EXPECT_EQ(attributeOf(connection.bytes, "CLASS"), "EC_Cluster");
    EXPECT_EQ(attributeOf(connection.bytes, "PUBLISHER"), "rgm");
    EXPECT_EQ(attributeOf(connection.bytes, "VENDOR"), "SUNW");
  }
  EXPECT_TRUE(waitUntil([&] { return harness_.server().stats().delivered == 5; }));
  EXPECT_EQ(harness_.client(receiver.port())->delivered, 5u);
}

TEST_F(DeliveryTest, EachClientReceivesEventsInPublicationOrder) {
  RawCallbackReceiver first;
  RawCallbackReceiver second;
  registerClient(first.port(), subscribeGroup("a"));
  registerClient(second.port(), subscribeAll());
  constexpr int kEvents = 60;
  for (int i = 0; i < kEvents; ++i) {
    harness_.server().publish(groupEvent("a", "state-" + std::to_string(i) + "-end"));
  }
  ASSERT_TRUE(first.waitForConnections(kEvents));
  ASSERT_TRUE(second.waitForConnections(kEvents));
  for (auto* receiver : {&first, &second}) {
    const auto got = receiver->connections();
    for (int i = 0; i < kEvents; ++i) {
      EXPECT_NE(got[i].bytes.find("state-" + std::to_string(i) + "-end"), std::string::npos)
          << "event " << i << " out of order: " << got[i].bytes;
    }
  }
}

TEST_F(DeliveryTest, PublishCountsTheClientsItQueuedFor) {
  RawCallbackReceiver groupA, all, members;
  registerClient(groupA.port(), subscribeGroup("a"));
  registerClient(all.port(), subscribeAll());
  registerClient(members.port(), subscribeMembership());
  EXPECT_EQ(harness_.server().publish(groupEvent("a", "ONLINE")), 2u);
  EXPECT_EQ(harness_.server().publish(groupEvent("z", "ONLINE")), 1u);
  EXPECT_EQ(harness_.server().publish(membershipEvent("4")), 2u);
  EXPECT_TRUE(members.waitForConnections(1));
}

TEST_F(DeliveryTest, SecondAddClientReplacesTheEventList) {
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeGroup("a"));
  registerClient(receiver.port(), subscribeMembership() + subscribeGroup("marker"));
  EXPECT_EQ(harness_.server().publish(groupEvent("a", "ONLINE")), 0u);
  EXPECT_EQ(harness_.server().publish(membershipEvent("9")), 1u);
  ASSERT_TRUE(receiver.waitForConnections(1));
  EXPECT_EQ(attributeOf(receiver.connections()[0].bytes, "SUBCLASS"), "ESC_cluster_membership");
}

TEST_F(DeliveryTest, RefusedDeliveriesAreRetried) {
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeAll());
  harness_.server().faults().inject({FaultKind::RefuseDelivery, 2, StatusCode::Ok, {}});
  harness_.server().publish(membershipEvent("1"));
  ASSERT_TRUE(receiver.waitForConnections(1));
  EXPECT_TRUE(waitUntil([&] { return harness_.server().stats().delivered == 1; }));
  const auto client = harness_.client(receiver.port());
  ASSERT_NE(client, nullptr);  // two failures are within Client_retry_count (2)
  EXPECT_EQ(client->failedAttempts, 2u);
  EXPECT_EQ(harness_.server().stats().deliveryFailures, 2u);
}

class RemovalTest : public DeliveryTest {
 protected:
  static ServerConfig config() {
    auto c = testConfig();
    c.clientRetryCount = 2;
    c.clientRetryInterval = std::chrono::milliseconds(100);
    c.clientTimeout = std::chrono::milliseconds(150);
    return c;
  }
  RemovalTest() : DeliveryTest(config()) {}
};

TEST_F(RemovalTest, ClientIsRemovedAfterItsRetriesFail) {
  const auto dead = refusedPort();
  registerClient(dead, subscribeAll());
  const auto started = Clock::now();
  EXPECT_EQ(harness_.server().publish(membershipEvent("1")), 1u);
  ASSERT_TRUE(waitUntil([&] { return harness_.server().clients().empty(); }));
  // One attempt plus two retries, 100 ms apart.
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(200));
  const auto stats = harness_.server().stats();
  EXPECT_EQ(stats.deliveryFailures, 3u);
  EXPECT_EQ(stats.clientsRemoved, 1u);
  EXPECT_EQ(harness_.server().publish(membershipEvent("2")), 0u);  // nothing more for it
  registerClient(dead, subscribeAll());  // a new ADD_CLIENT brings it back
  EXPECT_EQ(harness_.server().clients().size(), 1u);
}

TEST_F(RemovalTest, BlackholedDeliveriesTimeOutThenTheClientIsRemoved) {
  RawCallbackReceiver receiver;
  registerClient(receiver.port(), subscribeAll());
  harness_.server().faults().inject({FaultKind::BlackholeDelivery, 0, StatusCode::Ok, {}});
  const auto started = Clock::now();
  harness_.server().publish(membershipEvent("1"));
  ASSERT_TRUE(waitUntil([&] { return harness_.server().clients().empty(); }));
  // Three attempts of Client_timeout (150 ms) each, with two 100 ms pauses.
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(3 * 150 + 2 * 100));
  EXPECT_EQ(receiver.count(), 0u);
  EXPECT_EQ(harness_.server().stats().clientsRemoved, 1u);
}

class SlowRetryTest : public DeliveryTest {
 protected:
  static ServerConfig config() {
    auto c = testConfig();
    c.clientRetryCount = 3;
    c.clientRetryInterval = std::chrono::milliseconds(5000);
    c.maxQueuedPerClient = 50;
    return c;
  }
  SlowRetryTest() : DeliveryTest(config()) {}
};

TEST_F(SlowRetryTest, DeadClientDoesNotDelayALiveOne) {
  const auto dead = refusedPort();
  RawCallbackReceiver live;
  registerClient(dead, subscribeAll());
  registerClient(live.port(), subscribeAll());
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) {
    EXPECT_EQ(harness_.server().publish(membershipEvent(std::to_string(i))), 2u);
  }
  ASSERT_TRUE(live.waitForConnections(kEvents));
  // The dead client's first attempt may still be in flight on a loaded machine; once it has
  // failed, the client sits in its first retry pause (5 s) with everything still queued.
  ASSERT_TRUE(waitUntil([&] {
    const auto client = harness_.client(dead);
    return client && client->failedAttempts >= 1;
  }));
  const auto stuck = harness_.client(dead);
  ASSERT_NE(stuck, nullptr);
  EXPECT_EQ(stuck->queued, static_cast<std::size_t>(kEvents));
  EXPECT_EQ(stuck->delivered, 0u);
}

TEST_F(SlowRetryTest, QueueOverflowRemovesTheClientAndCountsIt) {
  const auto dead = refusedPort();
  registerClient(dead, subscribeAll());
  for (int i = 0; i < 60; ++i) harness_.server().publish(membershipEvent(std::to_string(i)));
  ASSERT_TRUE(waitUntil([&] { return harness_.server().clients().empty(); }));
  EXPECT_EQ(harness_.server().stats().clientsRemoved, 1u);
}

}  // namespace
}  // namespace crnp::sim
