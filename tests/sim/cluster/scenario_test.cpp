// ScenarioDriver on a real io_context: determinism per seed, pacing of the random scenario,
// the flood scenario yielding to other handlers, "none" producing nothing, and stop().
#include "crnp/sim/scenario.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <vector>

#include "crnp/sim/cluster_model.hpp"

namespace crnp::sim {
namespace {

namespace asio = boost::asio;

// Runs a driver over a fresh model until `enough` says to stop, then returns what it published.
struct Run {
  std::vector<Event> events;
  std::chrono::steady_clock::duration elapsed{};
};

Run drive(ScenarioConfig config, std::size_t eventCount) {
  asio::io_context io;
  ClusterModel model(ClusterConfig{4, {}, 3, "SUNW"});
  Run run;
  std::unique_ptr<ScenarioDriver> driver;
  driver = std::make_unique<ScenarioDriver>(
      asio::make_strand(io), config,
      [&model](std::mt19937_64& random) { return model.randomStep(random); },
      [&](const Event& event) {
        if (run.events.size() < eventCount) run.events.push_back(event);
        if (run.events.size() == eventCount) driver->stop();
      });
  const auto start = std::chrono::steady_clock::now();
  driver->start();
  io.run();  // returns once stop() has cancelled the pacing and nothing is left to do
  run.elapsed = std::chrono::steady_clock::now() - start;
  return run;
}

TEST(ScenarioTest, ScenarioNamesRoundTrip) {
  for (auto kind : {ScenarioKind::None, ScenarioKind::Random, ScenarioKind::Flood}) {
    EXPECT_EQ(scenarioKindFromString(toString(kind)), kind);
  }
  EXPECT_FALSE(scenarioKindFromString("Random"));
  EXPECT_FALSE(scenarioKindFromString(""));
}

TEST(ScenarioTest, RandomScenarioIsReproducibleFromItsSeed) {
  ScenarioConfig config{ScenarioKind::Random, 50'000.0, 99, 256};
  const auto first = drive(config, 400);
  ASSERT_EQ(first.events.size(), 400u);
  EXPECT_EQ(drive(config, 400).events, first.events);
  config.seed = 100;
  EXPECT_NE(drive(config, 400).events, first.events);
}

TEST(ScenarioTest, FloodScenarioUsesTheSameStreamAsRandom) {
  const auto random = drive({ScenarioKind::Random, 50'000.0, 5, 256}, 300);
  const auto flood = drive({ScenarioKind::Flood, 1.0, 5, 64}, 300);
  EXPECT_EQ(flood.events, random.events);
}

TEST(ScenarioTest, RandomScenarioKeepsToItsRate) {
  // 100 events at 400/s cannot come sooner than (100 - largest step) / 400 s; a step of this
  // cluster has at most 40 events (a node hosting three groups goes down).
  const auto run = drive({ScenarioKind::Random, 400.0, 3, 256}, 100);
  ASSERT_EQ(run.events.size(), 100u);
  EXPECT_GE(run.elapsed, std::chrono::milliseconds(140));  // rounding slack
}

TEST(ScenarioTest, FloodYieldsToOtherHandlersBetweenBatches) {
  asio::io_context io;
  auto strand = asio::make_strand(io);
  ClusterModel model(ClusterConfig{3, {}, 2, "ORCL"});
  std::uint64_t published = 0;
  ScenarioDriver driver(
      strand, {ScenarioKind::Flood, 1.0, 1, 32},
      [&model](std::mt19937_64& random) { return model.randomStep(random); },
      [&published](const Event&) { ++published; });
  std::uint64_t seenByOtherHandler = 0;
  driver.start();
  // Posted after the flood's first turn: runs only if the flood yields.
  asio::post(strand, [&] {
    asio::post(strand, [&] {
      seenByOtherHandler = published;
      driver.stop();
    });
  });
  io.run();
  EXPECT_GT(seenByOtherHandler, 0u);
  EXPECT_LT(seenByOtherHandler, 1000u) << "batches of 32 events, not one endless turn";
  EXPECT_EQ(driver.eventsPublished(), published);
}

TEST(ScenarioTest, NoneScenarioPublishesNothing) {
  asio::io_context io;
  ClusterModel model(ClusterConfig{});
  std::uint64_t published = 0;
  ScenarioDriver driver(
      io.get_executor(), {ScenarioKind::None, 10.0, 1, 256},
      [&model](std::mt19937_64& random) { return model.randomStep(random); },
      [&published](const Event&) { ++published; });
  driver.start();
  io.run();  // nothing scheduled: returns at once
  EXPECT_EQ(published, 0u);
  EXPECT_EQ(model.eventsGenerated(), 0u);
}

TEST(ScenarioTest, StopEndsASlowRandomScenarioAtOnce) {
  asio::io_context io;
  ClusterModel model(ClusterConfig{});
  std::uint64_t published = 0;
  ScenarioDriver driver(
      asio::make_strand(io), {ScenarioKind::Random, 0.01, 1, 256},
      [&model](std::mt19937_64& random) { return model.randomStep(random); },
      [&](const Event&) {
        ++published;
        driver.stop();  // the next step would be due in minutes
      });
  driver.start();
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(published, 1u) << "nothing after stop(), not even the rest of the step";
}

TEST(ScenarioTest, FloodStopsWhenTheClusterAllowsNothing) {
  asio::io_context io;
  ClusterModel model(ClusterConfig{1, {}, 0, "SUNW"});
  ScenarioDriver driver(
      io.get_executor(), {ScenarioKind::Flood, 1.0, 1, 32},
      [&model](std::mt19937_64& random) { return model.randomStep(random); }, [](const Event&) {});
  driver.start();
  io.run();  // would never return if the flood kept spinning
  EXPECT_EQ(driver.eventsPublished(), 0u);
}

}  // namespace
}  // namespace crnp::sim
