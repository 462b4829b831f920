#include "event_log_writer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "event_log_test_support.hpp"
#include "eventually.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using crnp::testing::TempDir;
using namespace gateway::testing;

constexpr std::uint64_t kReserve = 1000;

StoredEventPtr stored(std::uint64_t sequence, const std::string& group = "g") {
  return std::make_shared<const StoredEvent>(
      sequence, rgEvent(group, "s" + std::to_string(sequence)), kReceived, kEpoch);
}

// Holds the writer's thread before each transaction until released.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
  }
  void waitUntilHeld() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return waiting_ > 0; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

EventLogStore::OpenResult openLog(const TempDir& dir, std::size_t events = 1000) {
  return EventLogStore::open(dir.string(), {events, 1u << 20, 1000}, kReserve, kEpoch);
}

TEST(EventLogWriter, GroupsWhatArrivesDuringAWriteIntoOneTransactionAndStopsCleanly) {
  TempDir dir;
  Gate gate;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    EventLogWriter writer(std::move(opened.store), 100, kReserve, {[&] { gate.wait(); }});
    writer.append(stored(1));
    gate.waitUntilHeld();  // the first batch is taken; the rest queue behind it
    for (std::uint64_t s = 2; s <= 20; ++s) writer.append(stored(s));
    EXPECT_EQ(writer.stats().queued, 19u);
    gate.open();
    writer.stop();
    const auto stats = writer.stats();
    EXPECT_EQ(stats.persisted, 20u);
    EXPECT_EQ(stats.batches, 2u);
    EXPECT_EQ(stats.writeErrors, 0u);
    EXPECT_EQ(stats.notPersisted, 0u);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_FALSE(reopened.recovered.uncleanStop);
  EXPECT_EQ(reopened.recovered.lastSequence, 20u);
  EXPECT_EQ(reopened.recovered.retained.size(), 20u);
  EXPECT_EQ(reopened.recovered.retained.back().event, stored(20)->event);
}

TEST(EventLogWriter, FullQueueIsCountedAndMovesCoveragePastTheLostEvents) {
  TempDir dir;
  Gate gate;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    EventLogWriter writer(std::move(opened.store), 2, kReserve, {[&] { gate.wait(); }});
    writer.append(stored(1));
    gate.waitUntilHeld();
    for (std::uint64_t s = 2; s <= 5; ++s) writer.append(stored(s));  // 4 and 5 do not fit
    EXPECT_EQ(writer.stats().notPersisted, 2u);
    gate.open();
    writer.stop();
    EXPECT_EQ(writer.stats().persisted, 3u);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_FALSE(reopened.recovered.uncleanStop);
  EXPECT_EQ(reopened.recovered.lastSequence, 5u) << "lost numbers are not given out again";
  EXPECT_EQ(reopened.recovered.coveredAfter, 5u) << "no token before the lost events replays";
  EXPECT_TRUE(reopened.recovered.retained.empty());
}

TEST(EventLogWriter, WriteErrorIsCountedAndTheWriterGoesOn) {
  TempDir dir;
  Gate gate;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    EventLogStore* store = opened.store.get();
    int batch = 0;
    // The second transaction meets a full disk; the third has room again.
    EventLogWriter writer(std::move(opened.store), 1000, kReserve, {[&] {
                            ++batch;
                            if (batch == 1) gate.wait();
                            if (batch == 2) store->limitPagesForTest(1);
                            if (batch == 3) store->limitPagesForTest(1'000'000);
                          }});
    writer.append(stored(1, "a"));
    gate.waitUntilHeld();
    for (std::uint64_t s = 2; s <= 200; ++s) writer.append(stored(s, "b"));
    gate.open();
    ASSERT_TRUE(crnp::test::eventually([&] { return writer.stats().writeErrors == 1; }));
    writer.append(stored(201, "c"));
    writer.stop();
    const auto stats = writer.stats();
    EXPECT_EQ(stats.writeErrors, 1u);
    EXPECT_EQ(stats.notPersisted, 199u);
    EXPECT_EQ(stats.persisted, 2u);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_FALSE(reopened.recovered.uncleanStop);
  EXPECT_EQ(reopened.recovered.coveredAfter, 200u) << "tokens before the failed batch reset";
  EXPECT_EQ(sequencesOf(reopened.recovered.retained), (std::vector<std::uint64_t>{201}));
  // The failed batch's latest event of "b" was written with the next transaction.
  EXPECT_EQ(sequencesOf(reopened.recovered.latest), (std::vector<std::uint64_t>{1, 200, 201}));
}

TEST(EventLogWriter, RaisesTheReservationAheadOfUse) {
  TempDir dir;
  auto opened = openLog(dir);
  ASSERT_TRUE(opened.store) << opened.error;
  EventLogWriter writer(std::move(opened.store), 1000, kReserve);
  EXPECT_EQ(writer.reservedThrough(), kReserve);
  for (std::uint64_t s = 1; s <= kReserve / 2 + 1; ++s) writer.append(stored(s));
  ASSERT_TRUE(crnp::test::eventually([&] { return writer.stats().persisted == kReserve / 2 + 1; }));
  EXPECT_EQ(writer.reservedThrough(), kReserve / 2 + 1 + kReserve);
}

TEST(EventLogWriter, AbandonedLogIsNotMarkedClean) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    EventLogWriter writer(std::move(opened.store), 1000, kReserve);
    writer.append(stored(1));
    ASSERT_TRUE(crnp::test::eventually([&] { return writer.stats().persisted == 1; }));
    writer.abandon();
    writer.append(stored(2));
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_TRUE(reopened.recovered.uncleanStop);
  EXPECT_EQ(reopened.recovered.lastSequence, kReserve);
}

}  // namespace
}  // namespace gateway
