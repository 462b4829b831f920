// Hostile registration clients: garbage, slowloris, oversized documents, connection floods,
// and concurrent use. The server must stay up, bound its memory and time, and keep answering.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "crnp_test_client.hpp"
#include "raw_callback_receiver.hpp"
#include "server_test_harness.hpp"

namespace crnp::sim {
namespace {

using namespace crnp_test;
using testing::membershipEvent;
using testing::ServerHarness;
using testing::testConfig;

ServerConfig hostileConfig() {
  auto c = testConfig();
  c.requestTimeout = std::chrono::milliseconds(400);
  c.maxConnections = 64;
  return c;
}

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(harness_.start()); }
  /// The server still answers a valid request (retrying while earlier sessions drain).
  bool stillAnswers() {
    return waitUntil(
        [&] {
          return exchange(harness_.port(), registration(7999, "ADD_CLIENT")).statusCode() == "OK";
        },
        std::chrono::milliseconds(10000));
  }
  ServerHarness harness_{hostileConfig()};
};

TEST_F(HostileTest, BinaryGarbageIsMalformed) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  const auto reply = exchange(harness_.port(), garbage);
  EXPECT_TRUE(reply.closedByPeer || reply.reset);
  if (!reply.bytes.empty()) {
    EXPECT_EQ(reply.statusCode(), "MALFORMED");
  }
  EXPECT_TRUE(stillAnswers());
}

TEST_F(HostileTest, HalfADocumentThenSilenceIsClosedAtTheRequestTimeout) {
  Fd fd = connectTo(harness_.port());
  ASSERT_TRUE(fd.valid());
  const auto started = Clock::now();
  ASSERT_TRUE(sendAll(fd.get(), "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"7000\" regType=\"ADD_"));
  const auto received = readToEof(fd.get(), std::chrono::milliseconds(5000));
  EXPECT_FALSE(received.timedOut);
  EXPECT_TRUE(received.closedByPeer || received.reset);
  EXPECT_TRUE(received.bytes.empty()) << received.bytes;
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(400));
  EXPECT_TRUE(waitUntil([&] { return harness_.server().stats().requestTimeouts == 1; }));
  EXPECT_TRUE(harness_.server().clients().empty());
}

TEST_F(HostileTest, HalfADocumentThenHalfCloseIsMalformed) {
  Fd fd = connectTo(harness_.port());
  ASSERT_TRUE(fd.valid());
  ASSERT_TRUE(sendAll(fd.get(), "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"7000\">"));
  ::shutdown(fd.get(), SHUT_WR);
  const auto received = readToEof(fd.get(), std::chrono::milliseconds(5000));
  EXPECT_EQ(attributeOf(received.bytes, "STATUS_CODE"), "MALFORMED") << received.bytes;
  EXPECT_TRUE(received.closedByPeer);
}

TEST_F(HostileTest, TenMebibyteDocumentIsRefusedWithoutReadingItAll) {
  Fd fd = connectTo(harness_.port());
  ASSERT_TRUE(fd.valid());
  const timeval sendTimeout{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, sizeof sendTimeout);
  std::atomic<std::size_t> sent{0};
  // A writer that never stops on its own: one open root element, then 10 MiB of children.
  std::thread writer([&] {
    if (!sendAll(fd.get(),
                 "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"7000\" regType=\"ADD_CLIENT\">")) {
      return;
    }
    const std::string chunk(64 * 1024, ' ');
    std::string children;
    while (children.size() < chunk.size()) children += "<SC_EVENT_REG CLASS=\"EC_Cluster\"/>";
    for (std::size_t total = 0; total < 10 * 1024 * 1024; total += children.size()) {
      if (!sendAll(fd.get(), children)) return;
      sent += children.size();
    }
  });
  const auto started = Clock::now();
  const auto received = readToEof(fd.get(), std::chrono::milliseconds(8000));
  writer.join();
  EXPECT_FALSE(received.timedOut);
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(8000));
  if (!received.bytes.empty()) {
    EXPECT_EQ(attributeOf(received.bytes, "STATUS_CODE"), "MALFORMED");
  }
  // The answer was decided at the 1 MiB limit: the document never ended and never closed.
  EXPECT_TRUE(waitUntil([&] {
    return harness_.server().stats().repliesByCode[static_cast<int>(StatusCode::Malformed)] == 1;
  }));
  EXPECT_TRUE(stillAnswers());
}

TEST_F(HostileTest, ThousandsOfConnectionsDoNotTakeTheServerDown) {
  std::vector<Fd> open;
  for (int i = 0; i < 3000; ++i) {
    Fd fd = connectTo(harness_.port());
    if (!fd.valid()) continue;
    if (i % 3 == 0) sendAll(fd.get(), "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"1\"");
    if (i % 3 == 1) sendAll(fd.get(), "garbage");
    open.push_back(std::move(fd));
  }
  EXPECT_GT(open.size(), 2000u);
  EXPECT_TRUE(waitUntil([&] { return harness_.server().stats().connectionsRejected > 0; }));
  open.clear();
  EXPECT_TRUE(stillAnswers());
}

TEST_F(HostileTest, ConcurrentRegistrationsAndPublishesStayConsistent) {
  RawCallbackReceiver receiver;
  ASSERT_EQ(exchange(harness_.port(), registration(receiver.port(), "ADD_CLIENT", subscribeAll()))
                .statusCode(),
            "OK");
  std::atomic<bool> publishing{true};
  std::thread publisher([&] {
    // Bounded, so the receiver's queue (maxQueuedPerClient) cannot overflow.
    for (int i = 0; publishing && i < 2000; ++i) {
      harness_.server().publish(membershipEvent(std::to_string(i)));
    }
  });
  std::vector<std::thread> registrants;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    registrants.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const auto port = static_cast<std::uint16_t>(20000 + t * 100 + i);
        if (exchange(harness_.port(), registration(port, "ADD_CLIENT", subscribeGroup("g")))
                .statusCode() != "OK") {
          ++failures;
        }
        if (i % 2 == 0 &&
            exchange(harness_.port(), registration(port, "REMOVE_CLIENT")).statusCode() != "OK") {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : registrants) thread.join();
  publishing = false;
  publisher.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(harness_.server().clients().size(), 1u + 4u * 12u);
  EXPECT_TRUE(receiver.waitForConnections(1));
}

}  // namespace
}  // namespace crnp::sim
