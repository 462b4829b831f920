// Matching rule, event keys and the subscription forms a server accepts.
#include "crnp/matching.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "codec_samples.hpp"

namespace crnp {
namespace {

Event clusterEvent(std::string subclass, std::vector<NvPair> pairs) {
  Event e;
  e.eventClass = "EC_Cluster";
  e.subclass = std::move(subclass);
  e.vendor = "ORCL";
  e.publisher = "rgm";
  e.nvpairs = std::move(pairs);
  return e;
}

const Event kRgEvent = clusterEvent("ESC_cluster_rg_state", {{"rg_name", {"oracle-rg"}},
                                                             {"node_list", {"n1", "n2"}},
                                                             {"state_list", {"ONLINE", "OFFLINE"}},
                                                             {"ev_seq", {"7"}}});
const Event kMembershipEvent = clusterEvent(
    "ESC_cluster_membership", {{"node_list", {"n1", "n2"}}, {"state_list", {"3", "-1"}}});

struct MatchCase {
  const char* name;
  EventType registered;
  Event event;
  bool matches;
};

void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

class MatchingRule : public testing::TestWithParam<MatchCase> {};

TEST_P(MatchingRule, Matches) {
  EXPECT_EQ(matches(GetParam().registered, GetParam().event), GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Matching, MatchingRule,
    testing::Values(
        MatchCase{"ClassOnly", {"EC_Cluster", "", {}}, kRgEvent, true},
        MatchCase{"ClassOnlyMembership", {"EC_Cluster", "", {}}, kMembershipEvent, true},
        MatchCase{"OtherClass", {"EC_Other", "", {}}, kRgEvent, false},
        MatchCase{"ClassIsCaseSensitive", {"ec_cluster", "", {}}, kRgEvent, false},
        MatchCase{"SameSubclass", {"EC_Cluster", "ESC_cluster_rg_state", {}}, kRgEvent, true},
        MatchCase{"OtherSubclass", {"EC_Cluster", "ESC_cluster_membership", {}}, kRgEvent, false},
        MatchCase{
            "SubclassWithoutClass", {"EC_Other", "ESC_cluster_rg_state", {}}, kRgEvent, false},
        MatchCase{"PairNarrows",
                  {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"oracle-rg"}}}},
                  kRgEvent,
                  true},
        MatchCase{"PairOtherValue",
                  {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"web-rg"}}}},
                  kRgEvent,
                  false},
        MatchCase{"PairAbsentFromEvent",
                  {"EC_Cluster", "ESC_cluster_rg_state", {{"r_name", {"oracle-rg"}}}},
                  kRgEvent,
                  false},
        MatchCase{"PairWithoutSubclass",
                  {"EC_Cluster", "", {{"rg_name", {"oracle-rg"}}}},
                  kRgEvent,
                  true},
        MatchCase{"SeveralPairsAllPresent",
                  {"EC_Cluster", "", {{"ev_seq", {"7"}}, {"rg_name", {"oracle-rg"}}}},
                  kRgEvent,
                  true},
        MatchCase{"SeveralPairsOneMissing",
                  {"EC_Cluster", "", {{"rg_name", {"oracle-rg"}}, {"r_name", {"x"}}}},
                  kRgEvent,
                  false},
        MatchCase{"ArrayEqual", {"EC_Cluster", "", {{"node_list", {"n1", "n2"}}}}, kRgEvent, true},
        MatchCase{
            "ArrayOtherOrder", {"EC_Cluster", "", {{"node_list", {"n2", "n1"}}}}, kRgEvent, false},
        MatchCase{"ArrayPrefix", {"EC_Cluster", "", {{"node_list", {"n1"}}}}, kRgEvent, false},
        MatchCase{"ArrayLonger",
                  {"EC_Cluster", "", {{"node_list", {"n1", "n2", "n3"}}}},
                  kRgEvent,
                  false},
        MatchCase{"ScalarAgainstArray",
                  {"EC_Cluster", "", {{"rg_name", {"oracle-rg", "x"}}}},
                  kRgEvent,
                  false},
        MatchCase{"ValueIsCaseSensitive",
                  {"EC_Cluster", "", {{"rg_name", {"Oracle-RG"}}}},
                  kRgEvent,
                  false},
        MatchCase{"EmptyClassMatchesNothing", {"", "", {}}, kRgEvent, false},
        MatchCase{"SecondPairOfSameName",
                  {"EC_Cluster", "", {{"tag", {"b"}}}},
                  clusterEvent("ESC_x", {{"tag", {"a"}}, {"tag", {"b"}}}),
                  true}),
    test::ByName());

TEST(Matching, EventKeyOfRgStateIsClassSubclassAndRgName) {
  EXPECT_EQ(eventKey(kRgEvent),
            (EventType{"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"oracle-rg"}}}}));
}

TEST(Matching, EventKeyOfRStateIsClassSubclassAndRName) {
  Event e =
      clusterEvent("ESC_cluster_r_state",
                   {{"node_list", {"n1"}}, {"r_name", {"oracle-rs"}}, {"rg_name", {"oracle-rg"}}});
  EXPECT_EQ(eventKey(e),
            (EventType{"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {"oracle-rs"}}}}));
}

TEST(Matching, EventKeyOfOtherEventsHasNoPairs) {
  EXPECT_EQ(eventKey(kMembershipEvent), (EventType{"EC_Cluster", "ESC_cluster_membership", {}}));
  Event other = kRgEvent;
  other.eventClass = "EC_Other";  // rg_name only keys EC_Cluster rg_state events
  EXPECT_EQ(eventKey(other), (EventType{"EC_Other", "ESC_cluster_rg_state", {}}));
  Event missing = clusterEvent("ESC_cluster_rg_state", {{"node_list", {"n1"}}});
  EXPECT_EQ(eventKey(missing), (EventType{"EC_Cluster", "ESC_cluster_rg_state", {}}));
}

TEST(Matching, EventKeysTellGroupsApartAndMatchTheirEvents) {
  Event other = kRgEvent;
  other.nvpairs[0].values = {"web-rg"};
  other.nvpairs[2].values = {"OFFLINE", "OFFLINE"};
  EXPECT_NE(eventKey(kRgEvent), eventKey(other));
  Event later = kRgEvent;
  later.nvpairs[2].values = {"OFFLINE", "ONLINE"};
  EXPECT_EQ(eventKey(kRgEvent), eventKey(later));  // later replaces kRgEvent as most recent
  for (const Event& e : {kRgEvent, other, later, kMembershipEvent}) {
    EXPECT_TRUE(matches(eventKey(e), e));
  }
}

TEST(Matching, EqualForClientsIgnoresServerPrivatePairs) {
  Event stamped = kRgEvent;  // carries ev_seq 7
  stamped.nvpairs.back().values = {"8"};
  EXPECT_TRUE(equalForClients(kRgEvent, stamped));
  Event unstamped = kRgEvent;  // a current-state event without any ev_ pair
  unstamped.nvpairs.pop_back();
  EXPECT_TRUE(equalForClients(kRgEvent, unstamped));
  EXPECT_TRUE(equalForClients(unstamped, kRgEvent));
  Event extra = kMembershipEvent;
  extra.nvpairs.push_back({"ev_ts", {"1700000000"}});
  EXPECT_TRUE(equalForClients(kMembershipEvent, extra));
  EXPECT_TRUE(isServerPrivatePair("ev_"));
  EXPECT_FALSE(isServerPrivatePair("EV_seq")) << "the prefix is case-sensitive";
  EXPECT_FALSE(isServerPrivatePair("rg_name"));
}

TEST(Matching, EqualForClientsIgnoresPairOrderAndVersion) {
  Event reordered = kRgEvent;
  std::reverse(reordered.nvpairs.begin(), reordered.nvpairs.end());
  reordered.version = "1.1";
  EXPECT_TRUE(equalForClients(kRgEvent, reordered));
}

TEST(Matching, EqualForClientsSeesEveryClientVisibleDifference) {
  auto differs = [](auto change) {
    Event changed = kRgEvent;
    change(changed);
    return !equalForClients(kRgEvent, changed) && !equalForClients(changed, kRgEvent);
  };
  EXPECT_TRUE(differs([](Event& e) { e.eventClass = "EC_Other"; }));
  EXPECT_TRUE(differs([](Event& e) { e.subclass = "ESC_cluster_r_state"; }));
  EXPECT_TRUE(differs([](Event& e) { e.vendor = "SUNW"; }));
  EXPECT_TRUE(differs([](Event& e) { e.publisher = "other"; }));
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs[2].values = {"OFFLINE", "OFFLINE"}; }));
  // The order of VALUEs counts.
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs[2].values = {"OFFLINE", "ONLINE"}; }));
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs[1].values.pop_back(); }));
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs.erase(e.nvpairs.begin() + 1); }));
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs.push_back({"extra", {"x"}}); }));
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs.push_back(e.nvpairs[0]); }))
      << "a pair given twice is not the same as once";
  EXPECT_TRUE(differs([](Event& e) { e.nvpairs[0].name = "r_name"; }));
}

struct ValidateCase {
  const char* name;
  EventType type;
  std::string mentions;  // empty = accepted
};

void PrintTo(const ValidateCase& c, std::ostream* os) { *os << c.name; }

class MatchingValidate : public testing::TestWithParam<ValidateCase> {};

TEST_P(MatchingValidate, AcceptsOrExplains) {
  auto problem = validateEventType(GetParam().type);
  if (GetParam().mentions.empty()) {
    EXPECT_FALSE(problem) << *problem;
  } else {
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find(GetParam().mentions), std::string::npos) << *problem;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Matching, MatchingValidate,
    testing::Values(
        ValidateCase{"AllClusterEvents", {"EC_Cluster", "", {}}, ""},
        ValidateCase{"Membership", {"EC_Cluster", "ESC_cluster_membership", {}}, ""},
        ValidateCase{"RgState", {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"rg"}}}}, ""},
        ValidateCase{"RState", {"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {"rs"}}}}, ""},
        ValidateCase{"OtherClassWithPairs", {"EC_Other", "ESC_y", {{"a", {"1", "2"}}}}, ""},
        ValidateCase{"OtherClassOnly", {"EC_Other", "", {}}, ""},
        ValidateCase{
            "OtherClusterSubclass", {"EC_Cluster", "ESC_cluster_node", {{"n", {"1"}}}}, ""},
        ValidateCase{"EmptyClass", {"", "ESC_cluster_membership", {}}, "CLASS is empty"},
        ValidateCase{"AllWithPairs", {"EC_Cluster", "", {{"rg_name", {"rg"}}}}, "no NVPAIR"},
        ValidateCase{"MembershipWithPairs",
                     {"EC_Cluster", "ESC_cluster_membership", {{"node_list", {"n1"}}}},
                     "ESC_cluster_membership takes no NVPAIR"},
        ValidateCase{"RgStateWithoutName",
                     {"EC_Cluster", "ESC_cluster_rg_state", {}},
                     "exactly one NVPAIR, rg_name"},
        ValidateCase{"RgStateWithRName",
                     {"EC_Cluster", "ESC_cluster_rg_state", {{"r_name", {"rg"}}}},
                     "rg_name"},
        ValidateCase{
            "RgStateTwoPairs",
            {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"a"}}, {"node_list", {"n1"}}}},
            "exactly one NVPAIR"},
        ValidateCase{"RgStateTwoValues",
                     {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"a", "b"}}}},
                     "exactly one VALUE"},
        ValidateCase{"RStateWithoutName", {"EC_Cluster", "ESC_cluster_r_state", {}}, "r_name"},
        ValidateCase{"RStateWithRgName",
                     {"EC_Cluster", "ESC_cluster_r_state", {{"rg_name", {"x"}}}},
                     "r_name"},
        ValidateCase{"PairWithoutName", {"EC_Other", "", {{"", {"1"}}}}, "empty NAME"},
        ValidateCase{"PairWithoutValue", {"EC_Other", "", {{"a", {}}}}, "NVPAIR a has no VALUE"},
        ValidateCase{"ClusterPairWithoutValue",
                     {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {}}}},
                     "no VALUE"},
        ValidateCase{"RgStateEmptyName",
                     {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {""}}}},
                     "rg_name VALUE is empty"},
        ValidateCase{"RStateEmptyName",
                     {"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {""}}}},
                     "r_name VALUE is empty"},
        ValidateCase{"OtherClassEmptyValue", {"EC_Other", "ESC_y", {{"a", {""}}}}, ""}),
    test::ByName());

}  // namespace
}  // namespace crnp
