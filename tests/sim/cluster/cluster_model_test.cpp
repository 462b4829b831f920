// The simulated cluster: initial layout, the event sequences of each operation, refusals,
// and the random step (determinism and invariants over long runs).
#include "crnp/sim/cluster_model.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster_test_util.hpp"

namespace crnp::sim {
namespace {

using test::summarize;
using test::summarizeAll;
using Lines = std::vector<std::string>;

ClusterConfig threeNodes() { return ClusterConfig{}; }  // 3 nodes, 2 groups, SUNW

TEST(ClusterModelTest, InitialLayoutFollowsTheNamingScheme) {
  ClusterModel model(threeNodes());
  ASSERT_EQ(model.nodes().size(), 3u);
  EXPECT_EQ(model.nodes()[0].name, "phys-node-1");
  EXPECT_EQ(model.nodes()[2].name, "phys-node-3");
  std::set<std::int64_t> incarnations;
  for (const auto& node : model.nodes()) {
    EXPECT_TRUE(node.up());
    incarnations.insert(node.incarnation);
  }
  EXPECT_EQ(incarnations.size(), 3u) << "incarnations must be distinct";
  ASSERT_EQ(model.groups().size(), 2u);
  EXPECT_EQ(model.groups()[0].name, "app-rg-1");
  EXPECT_EQ(model.groups()[0].primary, 0u);
  EXPECT_EQ(model.groups()[1].primary, 1u);
  ASSERT_EQ(model.groups()[0].resources.size(), 2u);
  EXPECT_EQ(model.groups()[0].resources[1].name, "app-rs-1-2");
  EXPECT_EQ(model.groups()[1].resources.size(), 3u);
  EXPECT_EQ(model.groups()[1].states, (std::vector<std::string>{"OFFLINE", "ONLINE", "OFFLINE"}));
  EXPECT_EQ(model.eventsGenerated(), 0u);
}

TEST(ClusterModelTest, ExplicitNodeNamesAreUsedInOrder) {
  ClusterConfig config;
  config.nodeNames = {"alpha", "beta"};
  config.resourceGroupCount = 3;
  ClusterModel model(config);
  ASSERT_EQ(model.nodes().size(), 2u);
  EXPECT_EQ(model.nodes()[1].name, "beta");
  EXPECT_EQ(model.groups()[2].primary, 0u);  // round-robin over the nodes
  EXPECT_EQ(model.groups()[2].resources.size(), 1u);
}

TEST(ClusterModelTest, ValidateRejectsUnusableConfigs) {
  EXPECT_FALSE(validate(threeNodes()));
  ClusterConfig config;
  config.nodeCount = 0;
  EXPECT_TRUE(validate(config));
  config = {};
  config.nodeCount = kMaxNodes + 1;
  EXPECT_TRUE(validate(config));
  config = {};
  config.nodeNames = {"a", "b", "a"};
  EXPECT_NE(validate(config).value_or("").find("twice"), std::string::npos);
  config.nodeNames = {"a", ""};
  EXPECT_TRUE(validate(config));
  config.nodeNames = {"a b"};
  EXPECT_TRUE(validate(config));
  config.nodeNames = {"<x>"};
  EXPECT_TRUE(validate(config));
  config = {};
  config.vendor = "ACME";
  EXPECT_TRUE(validate(config));
  config.vendor = "ORCL";
  EXPECT_FALSE(validate(config));
  config.resourceGroupCount = kMaxResourceGroups + 1;
  EXPECT_TRUE(validate(config));
}

TEST(ClusterModelTest, CurrentStateHasOneEventPerType) {
  ClusterConfig config;
  config.vendor = "ORCL";
  ClusterModel model(config);
  const auto events = model.currentState();
  EXPECT_EQ(summarizeAll(events), (Lines{
                                      "M 1,2,3",
                                      "RG app-rg-1 ONLINE,OFFLINE,OFFLINE",
                                      "RG app-rg-2 OFFLINE,ONLINE,OFFLINE",
                                      "R app-rs-1-1 ONLINE,OFFLINE,OFFLINE",
                                      "R app-rs-1-2 ONLINE,OFFLINE,OFFLINE",
                                      "R app-rs-2-1 OFFLINE,ONLINE,OFFLINE",
                                      "R app-rs-2-2 OFFLINE,ONLINE,OFFLINE",
                                      "R app-rs-2-3 OFFLINE,ONLINE,OFFLINE",
                                  }));
  for (const auto& event : events) {
    EXPECT_EQ(event.eventClass, "EC_Cluster");
    EXPECT_EQ(event.publisher, "rgm");
    EXPECT_EQ(event.vendor, "ORCL");
    EXPECT_EQ(event.find("ev_sequence"), nullptr) << "state events carry no ev_ pairs";
    ASSERT_NE(event.find("node_list"), nullptr);
    EXPECT_EQ(event.find("node_list")->values,
              (std::vector<std::string>{"phys-node-1", "phys-node-2", "phys-node-3"}));
  }
  EXPECT_EQ(model.eventsGenerated(), 0u) << "describing the state generates nothing";
}

TEST(ClusterModelTest, NodeDownEmitsMembershipThenFailsItsGroupsOver) {
  ClusterModel model(threeNodes());
  const auto result = model.nodeDown("phys-node-1");
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(summarizeAll(result.events), (Lines{
                                             "M -1,2,3",
                                             "RG app-rg-1 PENDING_OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,PENDING_ONLINE,OFFLINE",
                                             "R app-rs-1-1 OFFLINE,STARTING,OFFLINE",
                                             "R app-rs-1-1 OFFLINE,ONLINE,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,STARTING,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,ONLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,ONLINE,OFFLINE",
                                         }));
  EXPECT_EQ(model.nodes()[0].incarnation, -1);
  EXPECT_EQ(model.nodes()[1].incarnation, 2) << "other members keep their incarnation";
  EXPECT_EQ(model.groups()[0].primary, 1u);
  test::expectConsistent(model);
}

TEST(ClusterModelTest, RefusedOperationsChangeNothing) {
  ClusterModel model(threeNodes());
  const auto before = model.currentState();
  auto result = model.nodeDown("phys-node-9");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->kind, ModelErrorKind::NotFound);
  EXPECT_NE(result.error->message.find("phys-node-9"), std::string::npos);
  EXPECT_TRUE(result.events.empty());
  EXPECT_EQ(model.nodeUp("phys-node-1").error->kind, ModelErrorKind::FailedPrecondition);
  EXPECT_EQ(model.switchover("no-such-rg", "phys-node-2").error->kind, ModelErrorKind::NotFound);
  EXPECT_EQ(model.switchover("app-rg-1", "nope").error->kind, ModelErrorKind::NotFound);
  EXPECT_EQ(model.failResource("nope", "phys-node-1", ResourceFailure::MonitorFailed).error->kind,
            ModelErrorKind::NotFound);
  EXPECT_EQ(
      model.failResource("app-rs-1-1", "phys-node-2", ResourceFailure::MonitorFailed).error->kind,
      ModelErrorKind::FailedPrecondition)
      << "the resource is not online on phys-node-2";
  EXPECT_EQ(model.recoverResource("app-rs-1-1", "phys-node-1").error->kind,
            ModelErrorKind::FailedPrecondition);
  EXPECT_EQ(model.currentState(), before);
  EXPECT_EQ(model.eventsGenerated(), 0u);

  ASSERT_TRUE(model.nodeDown("phys-node-3").ok());
  EXPECT_EQ(model.nodeDown("phys-node-3").error->kind, ModelErrorKind::FailedPrecondition);
  const auto toDown = model.switchover("app-rg-1", "phys-node-3");
  ASSERT_FALSE(toDown.ok());
  EXPECT_EQ(toDown.error->kind, ModelErrorKind::FailedPrecondition);
  EXPECT_NE(toDown.error->message.find("down"), std::string::npos);
}

TEST(ClusterModelTest, NodeUpGetsAHigherIncarnationAndReportsGroupsOffline) {
  ClusterModel model(threeNodes());
  ASSERT_TRUE(model.nodeDown("phys-node-2").ok());
  const auto result = model.nodeUp("phys-node-2");
  ASSERT_TRUE(result.ok());
  const auto incarnation = model.nodes()[1].incarnation;
  EXPECT_GT(incarnation, 3) << "higher than every incarnation before";
  EXPECT_EQ(summarizeAll(result.events),
            (Lines{
                "M 1," + std::to_string(incarnation) + ",3", "RG app-rg-1 ONLINE,OFFLINE,OFFLINE",
                "RG app-rg-2 OFFLINE,OFFLINE,ONLINE",  // failed over to node 3 and stays
            }));
  ASSERT_TRUE(model.nodeDown("phys-node-2").ok());
  ASSERT_TRUE(model.nodeUp("phys-node-2").ok());
  EXPECT_GT(model.nodes()[1].incarnation, incarnation);
  test::expectConsistent(model);
}

TEST(ClusterModelTest, GroupsWithNoMemberLeftComeBackWithTheFirstNode) {
  ClusterConfig config;
  config.nodeCount = 2;
  config.resourceGroupCount = 1;
  ClusterModel model(config);
  ASSERT_TRUE(model.nodeDown("phys-node-2").ok());
  const auto last = model.nodeDown("phys-node-1");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(summarize(last.events.back()), "RG app-rg-1 OFFLINE,OFFLINE") << "nowhere to go";
  EXPECT_FALSE(model.groups()[0].primary);
  const auto up = model.nodeUp("phys-node-2");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(summarize(up.events.back()), "RG app-rg-1 OFFLINE,ONLINE");
  EXPECT_EQ(model.groups()[0].primary, 1u);
  test::expectConsistent(model);
}

TEST(ClusterModelTest, SwitchoverStopsThenStarts) {
  ClusterModel model(threeNodes());
  const auto result = model.switchover("app-rg-1", "phys-node-3");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(summarizeAll(result.events), (Lines{
                                             "RG app-rg-1 PENDING_OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-2 STOPPING,OFFLINE,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 STOPPING,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,OFFLINE,PENDING_ONLINE",
                                             "R app-rs-1-1 OFFLINE,OFFLINE,STARTING",
                                             "R app-rs-1-1 OFFLINE,OFFLINE,ONLINE",
                                             "R app-rs-1-2 OFFLINE,OFFLINE,STARTING",
                                             "R app-rs-1-2 OFFLINE,OFFLINE,ONLINE",
                                             "RG app-rg-1 OFFLINE,OFFLINE,ONLINE",
                                         }));
  const auto again = model.switchover("app-rg-1", "phys-node-3");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.events.empty()) << "already online there";
}

TEST(ClusterModelTest, MonitorFailureFaultsTheGroupInPlaceUntilRecovered) {
  ClusterModel model(threeNodes());
  const auto failed =
      model.failResource("app-rs-2-3", "phys-node-2", ResourceFailure::MonitorFailed);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(summarizeAll(failed.events), (Lines{
                                             "R app-rs-2-3 OFFLINE,MONITOR_FAILED,OFFLINE",
                                             "RG app-rg-2 OFFLINE,ONLINE_FAULTED,OFFLINE",
                                         }));
  EXPECT_EQ(
      model.failResource("app-rs-2-3", "phys-node-2", ResourceFailure::StartFailed).error->kind,
      ModelErrorKind::FailedPrecondition)
      << "already failed";
  const auto recovered = model.recoverResource("app-rs-2-3", "phys-node-2");
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(summarizeAll(recovered.events), (Lines{
                                                "R app-rs-2-3 OFFLINE,STOPPING,OFFLINE",
                                                "R app-rs-2-3 OFFLINE,OFFLINE,OFFLINE",
                                                "R app-rs-2-3 OFFLINE,STARTING,OFFLINE",
                                                "R app-rs-2-3 OFFLINE,ONLINE,OFFLINE",
                                                "RG app-rg-2 OFFLINE,ONLINE,OFFLINE",
                                            }));
  test::expectConsistent(model);
}

TEST(ClusterModelTest, StartFailureFailsTheGroupOverAndLeavesTheFlag) {
  ClusterModel model(threeNodes());
  const auto result = model.failResource("app-rs-1-1", "phys-node-1", ResourceFailure::StartFailed);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(summarizeAll(result.events), (Lines{
                                             "R app-rs-1-1 STOPPING,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 STARTING,OFFLINE,OFFLINE",
                                             "R app-rs-1-1 START_FAILED,OFFLINE,OFFLINE",
                                             "RG app-rg-1 ONLINE_FAULTED,OFFLINE,OFFLINE",
                                             "RG app-rg-1 PENDING_OFFLINE,OFFLINE,OFFLINE",
                                             "R app-rs-1-2 STOPPING,OFFLINE,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,OFFLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,PENDING_ONLINE,OFFLINE",
                                             "R app-rs-1-1 START_FAILED,STARTING,OFFLINE",
                                             "R app-rs-1-1 START_FAILED,ONLINE,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,STARTING,OFFLINE",
                                             "R app-rs-1-2 OFFLINE,ONLINE,OFFLINE",
                                             "RG app-rg-1 OFFLINE,ONLINE,OFFLINE",
                                         }));
  test::expectConsistent(model);
  const auto cleared = model.recoverResource("app-rs-1-1", "phys-node-1");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(summarizeAll(cleared.events), (Lines{"R app-rs-1-1 OFFLINE,ONLINE,OFFLINE"}));
}

TEST(ClusterModelTest, StartFailureWithNoOtherMemberFaultsInPlace) {
  ClusterConfig config;
  config.nodeCount = 1;
  config.resourceGroupCount = 1;
  ClusterModel model(config);
  const auto result = model.failResource("app-rs-1-2", "phys-node-1", ResourceFailure::StartFailed);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(summarize(result.events.back()), "RG app-rg-1 ONLINE_FAULTED");
  EXPECT_EQ(model.groups()[0].primary, 0u);
  const auto recovered = model.recoverResource("app-rs-1-2", "phys-node-1");
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(summarizeAll(recovered.events), (Lines{
                                                "R app-rs-1-2 STARTING",
                                                "R app-rs-1-2 ONLINE",
                                                "RG app-rg-1 ONLINE",
                                            }));
}

TEST(ClusterModelTest, GeneratedEventsAreNumberedInOrder) {
  ClusterModel model(threeNodes());
  std::vector<Event> all;
  for (auto&& result : {model.nodeDown("phys-node-2"), model.switchover("app-rg-1", "phys-node-3"),
                        model.nodeUp("phys-node-2")}) {
    ASSERT_TRUE(result.ok());
    all.insert(all.end(), result.events.begin(), result.events.end());
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto* sequence = all[i].find("ev_sequence");
    ASSERT_NE(sequence, nullptr);
    EXPECT_EQ(sequence->values, std::vector<std::string>{std::to_string(i + 1)});
  }
  EXPECT_EQ(model.eventsGenerated(), all.size());
  EXPECT_EQ(model.countExternalEvent(), all.size() + 1);
}

TEST(ClusterModelTest, RandomStepsAreDeterministicPerSeed) {
  auto run = [](std::uint64_t seed) {
    ClusterModel model(ClusterConfig{4, {}, 5, "SUNW"});
    std::mt19937_64 random(seed);
    std::vector<Event> events;
    for (int i = 0; i < 300; ++i) {
      auto step = model.randomStep(random);
      events.insert(events.end(), step.begin(), step.end());
    }
    return events;
  };
  const auto first = run(42);
  EXPECT_EQ(first, run(42));
  EXPECT_NE(first, run(43));
  EXPECT_GT(first.size(), 300u);
}

TEST(ClusterModelTest, RandomStepsKeepTheClusterConsistent) {
  ClusterModel model(ClusterConfig{3, {}, 4, "ORCL"});
  std::mt19937_64 random(7);
  std::map<std::string, std::size_t> operations;  // first event of a step says what it was
  std::map<std::string, Event> latest;            // replaying the stream
  for (const auto& event : model.currentState()) latest[test::key(event)] = event;
  for (int i = 0; i < 2000; ++i) {
    const auto step = model.randomStep(random);
    ASSERT_FALSE(step.empty());
    ++operations[summarize(step.front()).substr(0, 2)];
    for (const auto& event : step) latest[test::key(event)] = test::withoutEvPairs(event);
    bool anyUp = false;
    for (const auto& node : model.nodes()) anyUp |= node.up();
    ASSERT_TRUE(anyUp) << "the random scenario keeps one member";
    test::expectConsistent(model);
    if (HasFailure()) return;
  }
  // The latest event of each type is the current state: what snapshots rely on.
  for (const auto& event : model.currentState()) EXPECT_EQ(latest[test::key(event)], event);
  EXPECT_GT(operations["M "], 0u);
  EXPECT_GT(operations["RG"], 0u);
  EXPECT_GT(operations["R "], 0u);
}

TEST(ClusterModelTest, RandomStepIsEmptyWhenNothingCanHappen) {
  ClusterModel model(ClusterConfig{1, {}, 0, "SUNW"});
  std::mt19937_64 random(1);
  EXPECT_TRUE(model.randomStep(random).empty());
}

}  // namespace
}  // namespace crnp::sim
