// ClusterStateSeries: the cluster's state as 0/1 series from the latest events, without I/O.
#include "cluster_state_series.hpp"

#include <gtest/gtest.h>

#include "latency_histogram.hpp"

namespace gateway {
namespace {

crnp::Event membership(std::vector<std::string> nodes, std::vector<std::string> incarnations) {
  return {"1.0",
          "EC_Cluster",
          "ESC_cluster_membership",
          "SUNW",
          "rgm",
          {{"node_list", std::move(nodes)}, {"state_list", std::move(incarnations)}}};
}

crnp::Event group(const std::string& name, std::vector<std::string> nodes,
                  std::vector<std::string> states) {
  return {
      "1.0",
      "EC_Cluster",
      "ESC_cluster_rg_state",
      "SUNW",
      "rgm",
      {{"rg_name", {name}}, {"node_list", std::move(nodes)}, {"state_list", std::move(states)}}};
}

crnp::Event resource(const std::string& name, std::vector<std::string> nodes,
                     std::vector<std::string> states) {
  return {"1.0",
          "EC_Cluster",
          "ESC_cluster_r_state",
          "SUNW",
          "rgm",
          {{"r_name", {name}}, {"node_list", std::move(nodes)}, {"state_list", std::move(states)}}};
}

using Sample = ClusterStateSeries::StateSample;

std::map<std::string, bool> statesOf(const std::vector<Sample>& samples, const std::string& object,
                                     const std::string& node) {
  std::map<std::string, bool> out;
  for (const auto& s : samples) {
    if (s.object == object && s.node == node) out[s.state] = s.current;
  }
  return out;
}

TEST(ClusterStateSeries, NodesAreMembersWithTheirIncarnation) {
  ClusterStateSeries series;
  series.update({membership({"n1", "n2", "n3"}, {"3", "-1", "x"})});
  const auto nodes = series.nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_TRUE(nodes[0].member);
  EXPECT_EQ(nodes[0].incarnation, 3.0);
  EXPECT_FALSE(nodes[1].member);
  EXPECT_EQ(nodes[1].incarnation, -1.0);
  EXPECT_TRUE(nodes[2].member);  // not -1; its value is just not a number
  EXPECT_FALSE(nodes[2].incarnation);

  series.update({membership({"n1", "n2"}, {"-1", "4"})});
  const auto later = series.nodes();
  EXPECT_FALSE(later[0].member);
  EXPECT_TRUE(later[1].member);
  EXPECT_EQ(later[1].incarnation, 4.0);
  EXPECT_EQ(later.size(), 3u) << "a node not in the latest event keeps its last value";
}

TEST(ClusterStateSeries, AStateChangeFlipsSeriesInsteadOfDroppingThem) {
  ClusterStateSeries series;
  series.update({group("rg", {"n1", "n2"}, {"ONLINE", "OFFLINE"})});
  EXPECT_EQ(statesOf(series.resourceGroups(), "rg", "n1"),
            (std::map<std::string, bool>{{"ONLINE", true}}));

  series.update({group("rg", {"n1", "n2"}, {"PENDING_OFFLINE", "ONLINE"})});
  EXPECT_EQ(statesOf(series.resourceGroups(), "rg", "n1"),
            (std::map<std::string, bool>{{"ONLINE", false}, {"PENDING_OFFLINE", true}}));
  EXPECT_EQ(statesOf(series.resourceGroups(), "rg", "n2"),
            (std::map<std::string, bool>{{"OFFLINE", false}, {"ONLINE", true}}));

  series.update({resource("r", {"n1"}, {"Online"})});
  EXPECT_EQ(statesOf(series.resources(), "r", "n1"),
            (std::map<std::string, bool>{{"Online", true}}));
  EXPECT_EQ(series.resourceGroups().size(), 4u);  // resources are their own table
}

TEST(ClusterStateSeries, OtherAndIncompleteEventsAreIgnored) {
  ClusterStateSeries series;
  auto foreign = group("rg", {"n1"}, {"ONLINE"});
  foreign.eventClass = "EC_Other";
  auto nameless = group("rg", {"n1"}, {"ONLINE"});
  nameless.nvpairs.erase(nameless.nvpairs.begin());
  auto twoNames = group("rg", {"n1"}, {"ONLINE"});
  twoNames.nvpairs[0].values.push_back("rg2");
  crnp::Event marker{"1.0", "EC_Cluster", "ESC_cluster_test_marker", "SUNW", "rgm", {}};
  series.update({foreign, nameless, twoNames, marker, group("short", {"n1", "n2"}, {"ONLINE"})});
  const auto samples = series.resourceGroups();
  ASSERT_EQ(samples.size(), 1u);  // "short": only the node that has a state
  EXPECT_EQ(samples[0].object, "short");
  EXPECT_EQ(samples[0].node, "n1");
}

TEST(ClusterStateSeries, SeriesAreBoundedAndTheExcessCounted) {
  ClusterStateSeries series(/*maxSeries=*/3);
  series.update({group("a", {"n1", "n2"}, {"ONLINE", "OFFLINE"})});
  series.update({group("a", {"n1", "n2"}, {"OFFLINE", "ONLINE"})});  // 2 more states: 1 fits
  EXPECT_EQ(series.resourceGroups().size(), 3u);
  EXPECT_EQ(series.droppedSeries(), 1u);
  series.update({membership({"n9"}, {"1"})});
  EXPECT_TRUE(series.nodes().empty());
  EXPECT_EQ(series.droppedSeries(), 2u);
}

TEST(LatencyHistogram, BucketsAreCumulativeWithSumAndCount) {
  LatencyHistogram histogram;
  histogram.observe(std::chrono::microseconds(200));  // <= 0.0005
  histogram.observe(std::chrono::milliseconds(3));    // <= 0.005
  histogram.observe(std::chrono::seconds(20));        // +Inf only
  histogram.observe(std::chrono::nanoseconds(-5));    // a clock step: counts as zero
  const auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 4u);
  EXPECT_EQ(snapshot.cumulative[0], 2u);
  EXPECT_EQ(snapshot.cumulative[2], 2u);  // 0.0025
  EXPECT_EQ(snapshot.cumulative[3], 3u);  // 0.005
  EXPECT_EQ(snapshot.cumulative.back(), 3u);
  EXPECT_NEAR(snapshot.sumSeconds, 20.0032, 1e-9);
}

}  // namespace
}  // namespace gateway
