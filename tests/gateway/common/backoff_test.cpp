#include "backoff.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gateway {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, WithoutJitterDoublesUpToMax) {
  Backoff backoff(milliseconds(100), milliseconds(1000), 0.0, 1);
  std::vector<milliseconds> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(backoff.next());
  EXPECT_EQ(delays, (std::vector<milliseconds>{
                        milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
                        milliseconds(1000), milliseconds(1000), milliseconds(1000)}));
  EXPECT_EQ(backoff.attempts(), 7u);
}

TEST(BackoffTest, ResetStartsAgainFromInitial) {
  Backoff backoff(milliseconds(50), milliseconds(400), 0.0, 1);
  backoff.next();
  backoff.next();
  EXPECT_EQ(backoff.nominal(), milliseconds(200));
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0u);
  EXPECT_EQ(backoff.next(), milliseconds(50));
}

TEST(BackoffTest, JitterOnlyShortensWithinTheFraction) {
  Backoff backoff(milliseconds(1000), milliseconds(30'000), 0.25, 42);
  bool someShortened = false;
  for (int i = 0; i < 200; ++i) {
    const auto nominal = backoff.nominal();
    const auto delay = backoff.next();
    EXPECT_LE(delay, nominal);
    EXPECT_GE(delay.count(), nominal.count() * 3 / 4 - 1);
    if (delay < nominal) someShortened = true;
  }
  EXPECT_TRUE(someShortened);
}

TEST(BackoffTest, SameSeedSameDelaysOtherSeedOtherDelays) {
  auto sequence = [](std::uint64_t seed) {
    Backoff backoff(milliseconds(500), milliseconds(30'000), 0.5, seed);
    std::vector<milliseconds> delays;
    for (int i = 0; i < 12; ++i) delays.push_back(backoff.next());
    return delays;
  };
  EXPECT_EQ(sequence(7), sequence(7));
  EXPECT_NE(sequence(7), sequence(8));
}

TEST(BackoffTest, DegenerateSettingsStayUsable) {
  // Zero initial, max below initial and jitter outside [0, 1] must not give zero or negative
  // delays (a zero delay would retry in a tight loop).
  Backoff backoff(milliseconds(0), milliseconds(0), 7.0, 3);
  for (int i = 0; i < 10; ++i) EXPECT_GE(backoff.next(), milliseconds(1));
  Backoff negativeJitter(milliseconds(10), milliseconds(5), -1.0, 3);
  EXPECT_EQ(negativeJitter.next(), milliseconds(10));
}

TEST(BackoffTest, ManyAttemptsDoNotOverflow) {
  Backoff backoff(milliseconds(1), milliseconds(30'000), 0.0, 1);
  for (int i = 0; i < 10'000; ++i) backoff.next();
  EXPECT_EQ(backoff.next(), milliseconds(30'000));
}

}  // namespace
}  // namespace gateway
