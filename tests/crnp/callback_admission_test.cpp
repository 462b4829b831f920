// CallbackAdmission without sockets: the connection limit pauses accepting, other allowed
// addresses get a bounded share, and the CRNP servers' addresses are never refused.
#include "callback_admission.hpp"

#include <gtest/gtest.h>

namespace crnp::detail {
namespace {

using boost::asio::ip::make_address;
using Verdict = CallbackAdmission::Verdict;

const auto kServer = make_address("10.0.0.1");
const auto kNeighbour = make_address("10.0.0.7");
const auto kOther = make_address("10.0.0.8");

CallbackAdmission admission(std::size_t max, std::size_t perPeer, std::size_t reserved) {
  return CallbackAdmission({max, perPeer, reserved}, *AddressFilter::parse("10.0.0.1"));
}

TEST(CallbackAdmissionTest, AcceptingPausesAtTheLimitAndResumesWhenOneEnds) {
  auto a = admission(2, 2, 0);
  EXPECT_TRUE(a.canAccept());
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_FALSE(a.canAccept());
  a.release(kServer);
  EXPECT_TRUE(a.canAccept());
  EXPECT_EQ(a.open(), 1u);
}

TEST(CallbackAdmissionTest, ServerAddressIsBoundOnlyByTheTotal) {
  auto a = admission(8, 1, 2);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(a.admit(kServer), Verdict::Read) << i;
  EXPECT_EQ(a.openFrom(kServer), 8u);
  EXPECT_FALSE(a.canAccept());
}

TEST(CallbackAdmissionTest, OtherAddressIsHeldToItsOwnShare) {
  auto a = admission(8, 2, 2);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::Read);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::Read);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::OverPeerShare);
  EXPECT_EQ(a.openFrom(kNeighbour), 2u);  // the refused one was not counted
  EXPECT_EQ(a.admit(kOther), Verdict::Read);
  a.release(kNeighbour);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::Read);
}

TEST(CallbackAdmissionTest, OtherAddressesLeaveTheReserveToTheServers) {
  auto a = admission(4, 4, 2);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::Read);
  EXPECT_EQ(a.admit(kOther), Verdict::Read);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::OverSharedPool);
  EXPECT_TRUE(a.canAccept());
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_FALSE(a.canAccept());
  // A server's connection ending frees no room for the others: their pool is still full.
  a.release(kServer);
  EXPECT_EQ(a.admit(kOther), Verdict::OverSharedPool);
  a.release(kOther);
  EXPECT_EQ(a.admit(kOther), Verdict::Read);
}

TEST(CallbackAdmissionTest, WithoutPriorityPeersEveryoneSharesTheWholeLimit) {
  CallbackAdmission a({3, 2, 2}, AddressFilter{});
  EXPECT_FALSE(a.isPriority(kServer));
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
  EXPECT_EQ(a.admit(kServer), Verdict::OverPeerShare);
  EXPECT_EQ(a.admit(kOther), Verdict::Read);
  EXPECT_FALSE(a.canAccept());
}

TEST(CallbackAdmissionTest, AReserveAsLargeAsTheLimitStillLeavesOneForOthers) {
  auto a = admission(2, 2, 5);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::Read);
  EXPECT_EQ(a.admit(kNeighbour), Verdict::OverSharedPool);
  EXPECT_EQ(a.admit(kServer), Verdict::Read);
}

}  // namespace
}  // namespace crnp::detail
