// ReleaseOrder without sockets or sleeps: time is a parameter. Events are released when
// complete, wait for an earlier connection of the same peer only within its grace, and peers
// never hold each other back.
#include "release_order.hpp"

#include <gtest/gtest.h>

namespace crnp::detail {
namespace {

using boost::asio::ip::make_address;
using namespace std::chrono_literals;
using Seqs = std::vector<std::uint64_t>;

const auto kServer = make_address("10.0.0.1");
const auto kNeighbour = make_address("10.0.0.7");
const ReleaseOrder::TimePoint t0{};

TEST(ReleaseOrderTest, ACompleteEventIsReleasedAtOnce) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.closed(0, true);
  EXPECT_EQ(order.takeReleasable(t0), Seqs{0});
  EXPECT_EQ(order.takeReleasable(t0), Seqs{});
  EXPECT_EQ(order.waiting(), 0u);
  EXPECT_FALSE(order.nextCheck(t0));
}

TEST(ReleaseOrderTest, SequentialDeliveriesKeepTheirOrderWhenReadOutOfOrder) {
  // Two connections of one server, the second read first (another thread got to it).
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.opened(1, kServer, t0 + 1ms);
  order.closed(1, true);
  EXPECT_EQ(order.takeReleasable(t0 + 2ms), Seqs{});
  EXPECT_EQ(order.waiting(), 1u);
  EXPECT_EQ(order.nextCheck(t0 + 2ms), t0 + 50ms);
  order.closed(0, true);
  EXPECT_EQ(order.takeReleasable(t0 + 3ms), (Seqs{0, 1}));
}

TEST(ReleaseOrderTest, AStalledConnectionHoldsOthersOnlyForItsGrace) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);  // never completes: slowloris
  order.opened(1, kServer, t0 + 10ms);
  order.opened(2, kServer, t0 + 20ms);
  order.closed(2, true);
  order.closed(1, true);
  EXPECT_EQ(order.takeReleasable(t0 + 30ms), Seqs{});
  EXPECT_EQ(order.nextCheck(t0 + 30ms), t0 + 50ms);
  EXPECT_EQ(order.takeReleasable(t0 + 50ms), (Seqs{1, 2}));
  EXPECT_FALSE(order.nextCheck(t0 + 50ms));
}

TEST(ReleaseOrderTest, AnEventCompletedAfterTheGraceIsNotHeldAtAll) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.opened(1, kServer, t0 + 70ms);
  order.closed(1, true);
  EXPECT_EQ(order.takeReleasable(t0 + 71ms), Seqs{1});
  // The stalled one completes later still: released then, after the other.
  order.closed(0, true);
  EXPECT_EQ(order.takeReleasable(t0 + 900ms), Seqs{0});
}

TEST(ReleaseOrderTest, PeersDoNotHoldEachOtherBack) {
  ReleaseOrder order(50ms);
  order.opened(0, kNeighbour, t0);
  order.opened(1, kServer, t0 + 1ms);
  order.closed(1, true);
  EXPECT_EQ(order.takeReleasable(t0 + 2ms), Seqs{1});
  EXPECT_FALSE(order.nextCheck(t0 + 2ms));
}

TEST(ReleaseOrderTest, AFailedConnectionStopsHoldingOthers) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.opened(1, kServer, t0 + 1ms);
  order.closed(1, true);
  EXPECT_EQ(order.takeReleasable(t0 + 2ms), Seqs{});
  order.closed(0, false);  // garbage, reset or timeout
  EXPECT_EQ(order.takeReleasable(t0 + 3ms), Seqs{1});
}

TEST(ReleaseOrderTest, NextCheckIsTheEarliestGraceStillRunning) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.opened(1, kServer, t0 + 20ms);
  order.opened(2, kServer, t0 + 30ms);
  order.closed(2, true);
  EXPECT_EQ(order.nextCheck(t0 + 31ms), t0 + 50ms);
  EXPECT_EQ(order.takeReleasable(t0 + 50ms), Seqs{});  // connection 1 is still in its grace
  EXPECT_EQ(order.nextCheck(t0 + 50ms), t0 + 70ms);
  EXPECT_EQ(order.takeReleasable(t0 + 70ms), Seqs{2});
}

TEST(ReleaseOrderTest, AHeldEventHoldsLaterEventsOfItsPeer) {
  ReleaseOrder order(50ms);
  order.opened(0, kServer, t0);
  order.opened(1, kServer, t0 + 1ms);
  order.opened(2, kServer, t0 + 2ms);
  order.closed(1, true);
  order.closed(2, true);
  EXPECT_EQ(order.takeReleasable(t0 + 3ms), Seqs{});
  EXPECT_EQ(order.waiting(), 2u);
  order.clear();
  EXPECT_EQ(order.waiting(), 0u);
  EXPECT_EQ(order.takeReleasable(t0 + 4ms), Seqs{});
}

}  // namespace
}  // namespace crnp::detail
