// UpstreamHealthBoard: `healthy` after exchanges, the lapse of a registration not confirmed
// again within its allowance (on a fake clock), and the listener's reports.
#include "upstream_health_board.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "upstream_config.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;
using Clock = UpstreamHealthBoard::Clock;

class UpstreamHealthBoardTest : public ::testing::Test {
 protected:
  UpstreamHealthBoardTest() {
    board_.setServer("cl-apid:9444");
    board_.setListener([this](const UpstreamHealth& health) {
      std::lock_guard lock(mutex_);
      reports_.push_back(health.healthy);
    });
  }

  std::vector<bool> reports() const {
    std::lock_guard lock(mutex_);
    return reports_;
  }
  void advance(std::chrono::milliseconds by) { now_ += by; }

  Clock::time_point now_ = Clock::time_point(1h);
  UpstreamHealthBoard board_{[this] { return now_; }};
  mutable std::mutex mutex_;
  std::vector<bool> reports_;
};

TEST_F(UpstreamHealthBoardTest, UnhealthyUntilTheFirstSuccess) {
  EXPECT_FALSE(board_.snapshot().healthy);
  EXPECT_FALSE(board_.snapshot().lastRegistered);
  EXPECT_EQ(board_.markHealthy(true, 10s), now_ + 10s);
  EXPECT_TRUE(board_.snapshot().healthy);
  EXPECT_TRUE(board_.snapshot().lastRegistered);
  EXPECT_EQ(reports(), std::vector<bool>{true});
}

TEST_F(UpstreamHealthBoardTest, RegistrationLapsesWhenNotConfirmedWithinItsAllowance) {
  board_.markHealthy(true, 10s);
  advance(9999ms);
  EXPECT_TRUE(board_.snapshot().healthy);
  board_.refresh();
  EXPECT_EQ(reports(), std::vector<bool>{true});

  advance(1ms);
  const auto lapsed = board_.snapshot();
  EXPECT_FALSE(lapsed.healthy) << "readers see the lapse before anyone reports it";
  EXPECT_NE(lapsed.lastError.find("cl-apid:9444"), std::string::npos) << lapsed.lastError;
  EXPECT_NE(lapsed.lastError.find("not confirmed again within 10s"), std::string::npos)
      << lapsed.lastError;
  EXPECT_TRUE(lapsed.lastRegistered);

  board_.refresh();  // the upstream's timer, at the end of the allowance
  board_.refresh();
  EXPECT_EQ(reports(), (std::vector<bool>{true, false}));
  EXPECT_EQ(board_.snapshot().lastError, lapsed.lastError);
}

TEST_F(UpstreamHealthBoardTest, ConfirmationEndsALapseAndStartsANewAllowance) {
  board_.markHealthy(true, 10s);
  advance(15s);
  board_.refresh();
  EXPECT_EQ(board_.markHealthy(true, 10s), now_ + 10s);
  EXPECT_TRUE(board_.snapshot().healthy);
  advance(9s);
  EXPECT_TRUE(board_.snapshot().healthy);
  advance(1s);
  EXPECT_FALSE(board_.snapshot().healthy);
  board_.refresh();
  EXPECT_EQ(reports(), (std::vector<bool>{true, false, true, false}));
}

TEST_F(UpstreamHealthBoardTest, ConfirmationInTimeMovesTheLapse) {
  board_.markHealthy(true, 10s);
  advance(8s);
  board_.markHealthy(true, 10s);
  advance(8s);  // 16 s after the first confirmation, 8 s after the second
  board_.refresh();
  EXPECT_TRUE(board_.snapshot().healthy);
  EXPECT_EQ(reports(), std::vector<bool>{true});
}

TEST_F(UpstreamHealthBoardTest, WithoutScheduleOrRegistrationNothingLapses) {
  EXPECT_EQ(board_.markHealthy(true, std::nullopt), std::nullopt);  // interval 0
  advance(24h);
  board_.refresh();
  EXPECT_TRUE(board_.snapshot().healthy);

  board_.markHealthy(true, 10s);
  EXPECT_EQ(board_.markHealthy(false, 10s), std::nullopt);  // nothing left to register
  advance(24h);
  board_.refresh();
  EXPECT_TRUE(board_.snapshot().healthy);
  EXPECT_EQ(reports(), std::vector<bool>{true});
}

TEST_F(UpstreamHealthBoardTest, FailedAttemptIsUnhealthyAndKeepsItsError) {
  board_.markHealthy(true, 10s);
  board_.markUnhealthy("cl-apid:9444: ConnectionRefused");
  EXPECT_FALSE(board_.snapshot().healthy);
  advance(20s);  // the failure stays the news, not the lapse it implies
  board_.refresh();
  EXPECT_EQ(board_.snapshot().lastError, "cl-apid:9444: ConnectionRefused");
  EXPECT_EQ(reports(), (std::vector<bool>{true, false}));
  board_.markHealthy(true, 10s);
  EXPECT_TRUE(board_.snapshot().healthy);
  EXPECT_EQ(reports(), (std::vector<bool>{true, false, true}));
}

TEST_F(UpstreamHealthBoardTest, ConcurrentChangesAreReportedInOrderEndingWithTheLast) {
  UpstreamHealthBoard board;  // the real clock; nothing lapses here
  std::mutex mutex;
  std::vector<bool> reported;
  board.setListener([&](const UpstreamHealth& health) {
    std::lock_guard lock(mutex);
    reported.push_back(health.healthy);
  });
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < 2000; ++i) {
        if ((i + t) % 2) {
          board.markHealthy(true, 1h);
        } else {
          board.markUnhealthy("x");
        }
        board.refresh();
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  board.markUnhealthy("last");
  std::lock_guard lock(mutex);
  ASSERT_FALSE(reported.empty());
  EXPECT_EQ(std::adjacent_find(reported.begin(), reported.end()), reported.end())
      << "each report is a change";
  EXPECT_FALSE(reported.back()) << "the last report is the final state";
  EXPECT_EQ(reported.back(), board.snapshot().healthy);
}

TEST(RegistrationAllowance, IsTheScheduleAndOneExchangePlusGrace) {
  UpstreamConfig config;
  config.servers = {{"a", 9444}};
  config.reregisterInterval = 30s;
  config.client.connectTimeout = 5s;
  config.client.replyTimeout = 10s;
  config.healthGrace = 1s;
  EXPECT_EQ(registrationAllowance(config), 46s);
  config.servers.push_back({"b", 9444});  // an exchange may try each server once
  EXPECT_EQ(registrationAllowance(config), 51s);
  config.reregisterInterval = 0s;
  EXPECT_EQ(registrationAllowance(config), std::nullopt);
}

TEST(RegistrationAllowance, DefaultScheduleNoticesAForgottenGatewayWithinAMinute) {
  const UpstreamConfig config;
  EXPECT_EQ(config.reregisterInterval, 30s);
  EXPECT_LE(config.reregisterInterval, 60s);
}

}  // namespace
}  // namespace gateway
