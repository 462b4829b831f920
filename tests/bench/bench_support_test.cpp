// The end-to-end benchmarks' helpers: percentiles, /proc readings, command lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "bench_args.hpp"
#include "latency_summary.hpp"
#include "process_stats.hpp"

namespace bench {
namespace {

TEST(LatencySummaryTest, NearestRankPercentiles) {
  std::vector<std::int64_t> samples;
  for (std::int64_t i = 1000; i >= 1; --i) samples.push_back(i);  // unsorted on purpose
  const auto summary = summarizeMicros(samples);
  EXPECT_EQ(summary["count"], 1000);
  EXPECT_EQ(summary["p50"], 500);
  EXPECT_EQ(summary["p99"], 990);
  EXPECT_EQ(summary["p999"], 999);
  EXPECT_EQ(summary["max"], 1000);
}

TEST(LatencySummaryTest, FewAndNoSamples) {
  std::vector<std::int64_t> one{7};
  EXPECT_EQ(summarizeMicros(one)["p999"], 7);
  std::vector<std::int64_t> none;
  const auto empty = summarizeMicros(none);
  EXPECT_EQ(empty["count"], 0);
  EXPECT_EQ(empty["p99"], 0);
}

TEST(ProcessStatsTest, ReadsThisProcess) {
  const auto before = processCpuSeconds(::getpid());
  ASSERT_TRUE(before);
  // Burn about 50 ms of CPU: the reading must grow (clock ticks are 10 ms).
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  volatile std::uint64_t spin = 0;
  while (std::chrono::steady_clock::now() < until) spin = spin + 1;
  const auto after = processCpuSeconds(::getpid());
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *before);
  const auto rss = processRssKib(::getpid());
  ASSERT_TRUE(rss);
  EXPECT_GT(*rss, 100);
}

TEST(ProcessStatsTest, NoSuchProcess) {
  EXPECT_FALSE(processCpuSeconds(0x7ffffff0));
  EXPECT_FALSE(processRssKib(0x7ffffff0));
}

TEST(BenchArgsTest, ValuesFlagsAndMistakes) {
  const BenchArgs args({"--streams", "100", "--register", "--rate", "2.5"}, {"--register"});
  EXPECT_EQ(args.number("--streams", 1), 100u);
  EXPECT_EQ(args.number("--absent", 7), 7u);
  EXPECT_TRUE(args.has("--register"));
  EXPECT_DOUBLE_EQ(args.real("--rate", 0), 2.5);
  EXPECT_THROW(args.required("--target"), std::invalid_argument);
  EXPECT_THROW(BenchArgs({"--streams"}, {}), std::invalid_argument);
  EXPECT_THROW(BenchArgs({"streams"}, {}), std::invalid_argument);
  EXPECT_THROW(BenchArgs({"--streams", "1x"}, {}).number("--streams", 0), std::invalid_argument);
}

}  // namespace
}  // namespace bench
