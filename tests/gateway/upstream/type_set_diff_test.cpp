#include "type_set_diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace gateway {
namespace {

using Kind = RegistrationPlan::Kind;

crnp::EventType membership() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
crnp::EventType all() { return {"EC_Cluster", "", {}}; }
crnp::EventType rg(const std::string& name) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {name}}}};
}
crnp::EventType r(const std::string& name) {
  return {"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {name}}}};
}

TEST(TypeSetDiffTest, NormalizeSortsAndRemovesIdenticalTypesOnly) {
  const EventTypes normalized =
      normalizeTypes({rg("b"), membership(), rg("a"), rg("b"), membership(), all()});
  EXPECT_EQ(normalized, (EventTypes{all(), membership(), rg("a"), rg("b")}));
  // Same class and subclass with other pairs, or pairs with more values, are other types.
  crnp::EventType twoValues = rg("a");
  twoValues.nvpairs[0].values.push_back("x");
  EXPECT_EQ(normalizeTypes({rg("a"), twoValues, rg("a")}).size(), 2u);
  EXPECT_TRUE(normalizeTypes({}).empty());
}

TEST(TypeSetDiffTest, NormalizeIsIndependentOfInputOrder) {
  EventTypes types{all(), membership(), rg("a"), rg("b"), r("x"), r("y"), rg("a"), r("x")};
  const EventTypes expected = normalizeTypes(types);
  std::mt19937 random(1234);
  for (int i = 0; i < 50; ++i) {
    std::shuffle(types.begin(), types.end(), random);
    ASSERT_EQ(normalizeTypes(types), expected);
  }
}

TEST(TypeSetDiffTest, TheOneTypeOrderIsConsistentWithEquality) {
  const EventTypes types{all(), membership(), rg("a"), rg("b"), r("a"), {"Other", "", {}}};
  for (const auto& a : types) {
    for (const auto& b : types) {
      const bool equivalent = !(a < b) && !(b < a);
      EXPECT_EQ(equivalent, a == b) << crnp::describe(a) << " vs " << crnp::describe(b);
    }
  }
}

TEST(TypeSetDiffTest, DiffListsAddedAndRemoved) {
  const auto from = normalizeTypes({membership(), rg("a"), rg("b")});
  const auto to = normalizeTypes({membership(), rg("b"), r("x")});
  const TypeSetDiff diff = diffTypes(from, to);
  EXPECT_EQ(diff.added, (EventTypes{r("x")}));
  EXPECT_EQ(diff.removed, (EventTypes{rg("a")}));
  EXPECT_FALSE(diff.empty());
  EXPECT_TRUE(diffTypes(from, from).empty());
  EXPECT_EQ(diffTypes({}, to).added, to);
  EXPECT_EQ(diffTypes(from, {}).removed, from);
}

TEST(TypeSetDiffTest, PlanFirstRegistrationIsFullAddClient) {
  const auto desired = normalizeTypes({rg("a"), membership()});
  const auto plan = planChange(RegistrationState::NotRegistered, {}, desired);
  EXPECT_EQ(plan.kind, Kind::AddClient);
  EXPECT_EQ(plan.events, desired);
}

TEST(TypeSetDiffTest, PlanNoChangeNeedsNoMessage) {
  const auto set = normalizeTypes({rg("a"), membership()});
  for (auto state : {RegistrationState::NotRegistered, RegistrationState::Registered,
                     RegistrationState::Unknown}) {
    EXPECT_EQ(planChange(state, set, set).kind, Kind::None);
    EXPECT_EQ(planChange(state, {}, {}).kind, Kind::None);
  }
}

TEST(TypeSetDiffTest, PlanOnlyAdditionsIsAddEvents) {
  const auto plan = planChange(RegistrationState::Registered, normalizeTypes({membership()}),
                               normalizeTypes({membership(), rg("a"), rg("b")}));
  EXPECT_EQ(plan.kind, Kind::AddEvents);
  EXPECT_EQ(plan.events, normalizeTypes({rg("a"), rg("b")}));
}

TEST(TypeSetDiffTest, PlanOnlyRemovalsIsRemoveEvents) {
  const auto plan =
      planChange(RegistrationState::Registered, normalizeTypes({membership(), rg("a"), rg("b")}),
                 normalizeTypes({rg("b")}));
  EXPECT_EQ(plan.kind, Kind::RemoveEvents);
  EXPECT_EQ(plan.events, normalizeTypes({membership(), rg("a")}));
}

TEST(TypeSetDiffTest, PlanAddAndRemoveIsOneFullAddClient) {
  const auto desired = normalizeTypes({rg("b"), r("x")});
  const auto plan =
      planChange(RegistrationState::Registered, normalizeTypes({rg("a"), rg("b")}), desired);
  EXPECT_EQ(plan.kind, Kind::AddClient);
  EXPECT_EQ(plan.events, desired);
}

TEST(TypeSetDiffTest, PlanEmptyIsRemoveClientUnlessNotRegistered) {
  const auto set = normalizeTypes({rg("a")});
  EXPECT_EQ(planChange(RegistrationState::Registered, set, {}).kind, Kind::RemoveClient);
  EXPECT_EQ(planChange(RegistrationState::Unknown, set, {}).kind, Kind::RemoveClient);
  EXPECT_TRUE(planChange(RegistrationState::Registered, set, {}).events.empty());
  // After a failover nothing is registered on the new server: nothing to remove there.
  EXPECT_EQ(planChange(RegistrationState::NotRegistered, set, {}).kind, Kind::None);
}

TEST(TypeSetDiffTest, PlanWhenUnsureOfTheServerIsFullAddClient) {
  // After a lost reply or a failover a diff could be applied to the wrong base set.
  const auto desired = normalizeTypes({rg("a"), rg("b")});
  for (auto state : {RegistrationState::NotRegistered, RegistrationState::Unknown}) {
    const auto plan = planChange(state, normalizeTypes({rg("a")}), desired);
    EXPECT_EQ(plan.kind, Kind::AddClient);
    EXPECT_EQ(plan.events, desired);
  }
}

TEST(TypeSetDiffTest, PlanNamesForLogs) {
  EXPECT_STREQ(toString(Kind::AddClient), "ADD_CLIENT");
  EXPECT_STREQ(toString(Kind::AddEvents), "ADD_EVENTS");
  EXPECT_STREQ(toString(Kind::RemoveEvents), "REMOVE_EVENTS");
  EXPECT_STREQ(toString(Kind::RemoveClient), "REMOVE_CLIENT");
  EXPECT_STREQ(toString(Kind::None), "no change");
}

}  // namespace
}  // namespace gateway
