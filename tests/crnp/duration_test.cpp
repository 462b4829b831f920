#include "crnp/duration.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace {

TEST(Duration, ParsesUnitsAndBareSeconds) {
  EXPECT_EQ(crnp::parseDuration("250ms"), 250ms);
  EXPECT_EQ(crnp::parseDuration("2s"), 2000ms);
  EXPECT_EQ(crnp::parseDuration("5m"), 300000ms);
  EXPECT_EQ(crnp::parseDuration("1h"), 3600000ms);
  EXPECT_EQ(crnp::parseDuration("30"), 30000ms);
  EXPECT_EQ(crnp::parseDuration("0.5"), 500ms);
  EXPECT_EQ(crnp::parseDuration("0"), 0ms);
}

TEST(Duration, RejectsGarbage) {
  for (const char* bad : {"", "ms", "-1s", "1x", "s", "1 s", "abc", "1e400", "nan", "1.5.2s"}) {
    EXPECT_FALSE(crnp::parseDuration(bad).has_value()) << bad;
  }
}

TEST(Duration, FormatReadsBack) {
  for (auto d : {0ms, 1ms, 1500ms, 2000ms, 60000ms, 3600000ms, 90000ms}) {
    EXPECT_EQ(crnp::parseDuration(crnp::formatDuration(d)), d) << crnp::formatDuration(d);
  }
}

}  // namespace
