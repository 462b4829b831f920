// Registrations in a replicated deployment: made on a follower they are carried out by the
// leader (the only replica registered with the cluster) and visible on every replica; removed
// on another follower they are gone everywhere; a follower refuses what the leader refuses,
// with the same status.
#include <gtest/gtest.h>

#include <string>

#include "ha_fixture.hpp"
#include "status_details.hpp"

namespace crnp::ha {
namespace {

using integration::eventType;
using integration::kConvergeDeadline;

class HaRegistrationTest : public HaFixture {
 protected:
  bool listed(int replica, const std::string& id) {
    gw::ListRegistrationsResponse response;
    if (!stub(replica).ListRegistrations(contextWithDeadline().get(), {}, &response).ok())
      return false;
    for (const auto& registration : response.registrations()) {
      if (registration.registration_id() == id) return true;
    }
    return false;
  }

  grpc::Status unregisterOn(int replica, const std::string& id) {
    gw::UnregisterRequest request;
    request.set_registration_id(id);
    gw::UnregisterResponse response;
    return stub(replica).Unregister(contextWithDeadline().get(), request, &response);
  }

  /// The same code and the same ErrorInfo reason on the follower as on the leader.
  static void expectSameStatus(const grpc::Status& onFollower, const grpc::Status& onLeader,
                               grpc::StatusCode expected) {
    EXPECT_EQ(onLeader.error_code(), expected) << onLeader.error_message();
    EXPECT_EQ(onFollower.error_code(), onLeader.error_code())
        << "follower: " << onFollower.error_message() << "\nleader: " << onLeader.error_message();
    const auto leaderDetails = ::gateway::test::parseStatusDetails(onLeader);
    const auto followerDetails = ::gateway::test::parseStatusDetails(onFollower);
    EXPECT_EQ(followerDetails.errorInfo.has_value(), leaderDetails.errorInfo.has_value());
    if (followerDetails.errorInfo && leaderDetails.errorInfo) {
      EXPECT_EQ(followerDetails.errorInfo->reason(), leaderDetails.errorInfo->reason());
    }
  }
};

TEST_F(HaRegistrationTest, AFollowersRegistrationIsEverywhereAndAnotherFollowerRemovesIt) {
  const int first = follower(0);
  const int second = follower(1);
  gw::Registration made;
  const auto status = registerTypes(stub(first), "ha-reg",
                                    {eventType("EC_Cluster", "ESC_cluster_membership")}, &made);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(made.registration_id(), "ha-reg");

  for (int i = 0; i < kReplicas; ++i) {
    gw::Registration found;
    EXPECT_TRUE(crnp::test::eventually(
        [&] { return getRegistration(stub(i), "ha-reg", &found).ok() && listed(i, "ha-reg"); },
        kConvergeDeadline))
        << ReplicaSet::name(i) << " does not serve the registration";
    ASSERT_EQ(found.event_types_size(), 1) << found.DebugString();
    EXPECT_EQ(found.event_types(0).subclass(), "ESC_cluster_membership");
  }
  // Only the leader holds a CRNP registration, from its own address.
  EXPECT_TRUE(crnp::test::eventually([&] { return simHasOneClientOn(ReplicaSet::ip(leader_)); },
                                     kConvergeDeadline))
      << "leader " << ReplicaSet::name(leader_) << "; sim: " << listClients().DebugString();

  const auto removed = unregisterOn(second, "ha-reg");
  ASSERT_TRUE(removed.ok()) << removed.error_message();
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_TRUE(crnp::test::eventually(
        [&] {
          gw::Registration ignored;
          return getRegistration(stub(i), "ha-reg", &ignored).error_code() ==
                     grpc::StatusCode::NOT_FOUND &&
                 !listed(i, "ha-reg");
        },
        kConvergeDeadline))
        << ReplicaSet::name(i) << " still serves the removed registration";
  }
}

TEST_F(HaRegistrationTest, AFollowerAnswersMistakesWithTheLeadersStatus) {
  const int other = follower(0);
  {
    SCOPED_TRACE("Unregister of an unknown id");
    expectSameStatus(unregisterOn(other, "ha-unknown"), unregisterOn(leader_, "ha-unknown"),
                     grpc::StatusCode::NOT_FOUND);
  }
  {
    SCOPED_TRACE("GetRegistration of an unknown id");
    gw::Registration ignored;
    expectSameStatus(getRegistration(stub(other), "ha-unknown", &ignored),
                     getRegistration(stub(leader_), "ha-unknown", &ignored),
                     grpc::StatusCode::NOT_FOUND);
  }
  {
    SCOPED_TRACE("Register with an empty event class");
    expectSameStatus(registerTypes(stub(other), "ha-bad", {eventType("")}),
                     registerTypes(stub(leader_), "ha-bad", {eventType("")}),
                     grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    SCOPED_TRACE("Register with an id of forbidden characters");
    expectSameStatus(registerTypes(stub(other), "ha bad/id", {eventType("EC_Cluster")}),
                     registerTypes(stub(leader_), "ha bad/id", {eventType("EC_Cluster")}),
                     grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Nothing refused reached the store. (The cluster cannot tell: the leader's own watch of the
  // cluster state registers EC_Cluster anyway.)
  for (int i = 0; i < kReplicas; ++i) {
    gw::Registration ignored;
    EXPECT_EQ(getRegistration(stub(i), "ha-bad", &ignored).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << ReplicaSet::name(i);
  }
}

}  // namespace
}  // namespace crnp::ha
