#include "event_log_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "event_log_test_support.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using crnp::testing::TempDir;
using namespace gateway::testing;

constexpr std::uint64_t kReserve = 100;

EventLogBounds bounds(std::size_t events = 1000, std::size_t bytes = 1u << 20,
                      std::size_t keys = 1000) {
  return {events, bytes, keys};
}

EventLogStore::OpenResult openLog(const TempDir& dir, EventLogBounds b = bounds()) {
  return EventLogStore::open(dir.string(), b, kReserve, kEpoch);
}

void execOnFile(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(EventLogStore, NewLogHasTheGivenEpochAndReservesAhead) {
  TempDir dir;
  auto opened = openLog(dir);
  ASSERT_TRUE(opened.store) << opened.error;
  EXPECT_EQ(opened.recovered.epoch, kEpoch);
  EXPECT_EQ(opened.recovered.lastSequence, 0u);
  EXPECT_EQ(opened.recovered.coveredAfter, 0u);
  EXPECT_FALSE(opened.recovered.uncleanStop);
  EXPECT_EQ(opened.store->reservedThrough(), kReserve);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "events.db"));
}

TEST(EventLogStore, CleanStopRecoversEpochEventsLatestAndNumbering) {
  TempDir dir;
  const auto batch = batchOf(1, 5, 100, 2);  // groups g1, g0, g1, g0, g1
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batch), std::nullopt);
    ASSERT_EQ(opened.store->closeClean(5), std::nullopt);
  }
  auto reopened = EventLogStore::open(dir.string(), bounds(), kReserve, /*newEpoch=*/42);
  ASSERT_TRUE(reopened.store) << reopened.error;
  const RecoveredEvents& recovered = reopened.recovered;
  EXPECT_EQ(recovered.epoch, kEpoch) << "the epoch of the log, not a new one";
  EXPECT_FALSE(recovered.uncleanStop);
  EXPECT_EQ(recovered.lastSequence, 5u);
  EXPECT_EQ(recovered.coveredAfter, 0u);
  std::vector<JournalEntry> expected;
  for (const auto& record : batch.events) expected.push_back(record.entry);
  EXPECT_EQ(recovered.retained, expected);
  // The latest of g0 is 4, of g1 is 5.
  EXPECT_EQ(sequencesOf(recovered.latest), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(recovered.latest[1], batch.events[4].entry);
  EXPECT_EQ(reopened.store->reservedThrough(), 5u + kReserve);
}

TEST(EventLogStore, CrashWithPublishedButUnsavedEventsCoversFromTheLastPublished) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 3)), std::nullopt);
    // Events 4 and 5 were published (perhaps delivered) but never written: a kill -9.
    opened.store->watermark().record(5);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  const RecoveredEvents& recovered = reopened.recovered;
  EXPECT_TRUE(recovered.uncleanStop);
  EXPECT_TRUE(recovered.mayHaveLostEvents);
  EXPECT_EQ(recovered.durableThroughAtCrash, 3u);
  EXPECT_EQ(recovered.lastSequence, kReserve) << "numbers up to the ceiling may have been used";
  EXPECT_EQ(recovered.coveredAfter, 5u) << "no token before the lost events is replayed";
  EXPECT_TRUE(recovered.retained.empty());
  EXPECT_EQ(sequencesOf(recovered.latest), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(EventLogStore, CrashWithEverythingPublishedSavedKeepsEveryRetainedToken) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 3)), std::nullopt);
    opened.store->watermark().record(3);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  const RecoveredEvents& recovered = reopened.recovered;
  EXPECT_TRUE(recovered.uncleanStop);
  EXPECT_FALSE(recovered.mayHaveLostEvents);
  EXPECT_EQ(recovered.lastSequence, kReserve) << "numbering still continues after the ceiling";
  EXPECT_EQ(recovered.coveredAfter, 0u);
  EXPECT_EQ(sequencesOf(recovered.retained), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(EventLogStore, WatermarkOfAnotherBootIsNotTrusted) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 3)), std::nullopt);
    opened.store->watermark().record(3);
  }
  {
    std::fstream file(dir.path() / "events.published", std::ios::in | std::ios::out);
    file.seekp(8);
    file << "another-boot";  // the boot id is at offset 8: a reboot since (power loss)
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_TRUE(reopened.recovered.mayHaveLostEvents);
  EXPECT_EQ(reopened.recovered.coveredAfter, kReserve) << "nothing known: nothing replayed";
  EXPECT_TRUE(reopened.recovered.retained.empty());
}

TEST(EventLogStore, ReservedNumbersAreNeverReusedAcrossCrashes) {
  TempDir dir;
  std::uint64_t highestUsed = 0;
  for (int run = 0; run < 4; ++run) {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    const std::uint64_t next = opened.recovered.lastSequence + 1;
    EXPECT_GT(next, highestUsed) << "run " << run;
    // Uses every reserved number, raising the reservation as the writer does, then crashes.
    auto batch = batchOf(next, next + kReserve - 1);
    batch.reserveThrough = next + 2 * kReserve;
    ASSERT_EQ(opened.store->write(batch), std::nullopt);
    highestUsed = next + 2 * kReserve;  // the hub may number up to the durable reservation
  }
}

TEST(EventLogStore, CleanStopWithoutNewEventsNeverLowersTheNumbering) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 3)), std::nullopt);
  }  // a crash: numbering continues after kReserve
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.recovered.lastSequence, kReserve);
    ASSERT_EQ(opened.store->closeClean(0), std::nullopt);  // nothing published in this run
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_FALSE(reopened.recovered.uncleanStop);
  EXPECT_EQ(reopened.recovered.lastSequence, kReserve);
}

TEST(EventLogStore, RetentionByCountDeletesTheOldestAndMovesCoverage) {
  TempDir dir;
  {
    auto opened = openLog(dir, bounds(3));
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 4)), std::nullopt);
    ASSERT_EQ(opened.store->write(batchOf(5, 6)), std::nullopt);
    EXPECT_EQ(opened.store->retainedEvents(), 3u);
    EXPECT_EQ(opened.store->coveredAfter(), 3u);
    ASSERT_EQ(opened.store->closeClean(6), std::nullopt);
  }
  auto reopened = openLog(dir, bounds(3));
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_EQ(sequencesOf(reopened.recovered.retained), (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_EQ(reopened.recovered.coveredAfter, 3u);
}

TEST(EventLogStore, RetentionByBytesKeepsTheNewestEvenWhenLarger) {
  TempDir dir;
  auto opened = openLog(dir, bounds(1000, 250));
  ASSERT_TRUE(opened.store) << opened.error;
  ASSERT_EQ(opened.store->write(batchOf(1, 3, 100)), std::nullopt);
  EXPECT_EQ(opened.store->retainedEvents(), 2u);
  EXPECT_EQ(opened.store->coveredAfter(), 1u);
  ASSERT_EQ(opened.store->write(batchOf(4, 4, 1000)), std::nullopt);
  EXPECT_EQ(opened.store->retainedEvents(), 1u);
  EXPECT_EQ(opened.store->coveredAfter(), 3u);
}

TEST(EventLogStore, SmallerBoundsAtReopenTrimTheRecoveredEvents) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 10)), std::nullopt);
    ASSERT_EQ(opened.store->closeClean(10), std::nullopt);
  }
  auto reopened = openLog(dir, bounds(4));
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_EQ(sequencesOf(reopened.recovered.retained), (std::vector<std::uint64_t>{7, 8, 9, 10}));
  EXPECT_EQ(reopened.recovered.coveredAfter, 6u);
  EXPECT_EQ(reopened.recovered.lastSequence, 10u);
}

TEST(EventLogStore, LostEventsMoveCoveragePastThem) {
  TempDir dir;
  auto opened = openLog(dir);
  ASSERT_TRUE(opened.store) << opened.error;
  ASSERT_EQ(opened.store->write(batchOf(1, 2)), std::nullopt);
  auto batch = batchOf(4, 5);
  batch.lostThrough = 3;  // event 3 was never written: tokens before it cannot be replayed
  ASSERT_EQ(opened.store->write(batch), std::nullopt);
  EXPECT_EQ(opened.store->coveredAfter(), 3u);
  EXPECT_EQ(opened.store->retainedEvents(), 2u);
}

TEST(EventLogStore, LatestKeysAreBoundedByStaleness) {
  TempDir dir;
  {
    auto opened = openLog(dir, bounds(1000, 1u << 20, 2));
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 3, 100, 3)), std::nullopt);  // g1, g2, g0
    ASSERT_EQ(opened.store->closeClean(3), std::nullopt);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_EQ(sequencesOf(reopened.recovered.latest), (std::vector<std::uint64_t>{2, 3}));
}

TEST(EventLogStore, LatestOnlyUpdateNeverReplacesANewerEvent) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    EventLogBatch batch;
    batch.events.push_back({entry(5, "g", "new"), 100});
    ASSERT_EQ(opened.store->write(batch), std::nullopt);
    EventLogBatch stale;
    stale.latestOnly.push_back(entry(4, "g", "old"));
    stale.latestOnly.push_back(entry(3, "h", "only"));
    ASSERT_EQ(opened.store->write(stale), std::nullopt);
    ASSERT_EQ(opened.store->closeClean(5), std::nullopt);
  }
  auto reopened = openLog(dir);
  ASSERT_TRUE(reopened.store) << reopened.error;
  EXPECT_EQ(reopened.recovered.latest,
            (std::vector<JournalEntry>{entry(3, "h", "only"), entry(5, "g", "new")}));
}

TEST(EventLogStore, FailedWriteChangesNothing) {
  TempDir dir;
  auto opened = openLog(dir);
  ASSERT_TRUE(opened.store) << opened.error;
  ASSERT_EQ(opened.store->write(batchOf(1, 1)), std::nullopt);
  ASSERT_EQ(opened.store->limitPagesForTest(1), std::nullopt);
  auto big = batchOf(2, 200);
  big.reserveThrough = 10'000;
  const auto error = opened.store->write(big);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("full"), std::string::npos) << *error;
  EXPECT_EQ(opened.store->retainedEvents(), 1u);
  EXPECT_EQ(opened.store->reservedThrough(), kReserve);
}

TEST(EventLogStore, CorruptFileIsAClearError) {
  TempDir dir;
  std::ofstream(dir.path() / "events.db") << "this is not a database, it is a poem";
  auto opened = openLog(dir);
  EXPECT_FALSE(opened.store);
  EXPECT_NE(opened.error.find("events.db"), std::string::npos) << opened.error;
  EXPECT_NE(opened.error.find("not a database"), std::string::npos) << opened.error;
}

TEST(EventLogStore, NewerSchemaVersionIsAClearError) {
  TempDir dir;
  execOnFile(dir.path() / "events.db", "PRAGMA user_version = 9");
  auto opened = openLog(dir);
  EXPECT_FALSE(opened.store);
  EXPECT_NE(opened.error.find("schema version 9"), std::string::npos) << opened.error;
}

TEST(EventLogStore, UnreadableEventIsAnErrorNamingIt) {
  TempDir dir;
  {
    auto opened = openLog(dir);
    ASSERT_TRUE(opened.store) << opened.error;
    ASSERT_EQ(opened.store->write(batchOf(1, 2)), std::nullopt);
    ASSERT_EQ(opened.store->closeClean(2), std::nullopt);
  }
  execOnFile(dir.path() / "events.db",
             "UPDATE events SET event = '{\"class\": 3}' WHERE sequence = 2");
  auto opened = openLog(dir);
  EXPECT_FALSE(opened.store);
  EXPECT_NE(opened.error.find("event 2 is unreadable"), std::string::npos) << opened.error;
}

TEST(EventLogStore, SecondOpenOfALiveLogFails) {
  TempDir dir;
  auto first = openLog(dir);
  ASSERT_TRUE(first.store) << first.error;
  auto second = openLog(dir);
  EXPECT_FALSE(second.store);
  EXPECT_NE(second.error.find("in use by another process"), std::string::npos) << second.error;
}

}  // namespace
}  // namespace gateway
