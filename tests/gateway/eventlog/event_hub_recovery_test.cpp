// EventHub across a restart: a hub with the SQLite journal, stopped (cleanly or not), and a
// new hub recovered from the same data dir.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "event_hub.hpp"
#include "event_log_test_support.hpp"
#include "event_log_writer.hpp"
#include "eventually.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using crnp::testing::TempDir;
using namespace gateway::testing;

constexpr std::uint64_t kReserve = 1000;
const crnp::EventType kAllCluster{"EC_Cluster", "", {}};

struct NullSubscriber : EventSubscriber {
  void onEvent(const StoredEventPtr&) override {}
  void onFellBehind() override {}
};

EventHubConfig hubConfig(std::size_t ring = 100) {
  EventHubConfig config;
  config.ringCapacity = ring;
  return config;
}

// One run of the gateway's event path: the log, its writer and a hub recovered from it.
struct GatewayRun {
  explicit GatewayRun(const TempDir& dir, std::size_t ring = 100,
                      EventLogWriter::Hooks hooks = {}) {
    auto opened = EventLogStore::open(dir.string(), {ring, 1u << 20, 1000}, kReserve);
    EXPECT_TRUE(opened.store) << opened.error;
    recovered = opened.recovered;
    writer =
        std::make_unique<EventLogWriter>(std::move(opened.store), 1000, kReserve, std::move(hooks));
    hub = std::make_unique<EventHub>(hubConfig(ring), EventHub::FanoutSignal{}, writer.get(),
                                     opened.recovered);
  }
  std::string ingest(const std::string& group, const std::string& state) {
    auto stored = hub->ingest(rgEvent(group, state), kReceived);
    return stored ? stored->resumeToken : "";
  }
  RecoveredEvents recovered;
  std::unique_ptr<EventLogWriter> writer;
  std::unique_ptr<EventHub> hub;
};

ResumeToken token(const std::string& text) { return *decodeResumeToken(text); }

std::vector<std::uint64_t> replayed(EventHub& hub, const std::string& resume,
                                    std::string* resetReason = nullptr) {
  NullSubscriber subscriber;
  auto result = hub.attach(subscriber, {kAllCluster}, token(resume));
  hub.detach(subscriber);
  if (resetReason) *resetReason = result.resetReason;
  std::vector<std::uint64_t> out;
  if (result.snapshot) return out;
  for (const auto& event : result.events) out.push_back(event->sequence);
  return out;
}

TEST(EventHubRecovery, TokensResumeAfterACleanRestartAndNumberingContinues) {
  TempDir dir;
  std::string atTwo, atFive;
  std::uint64_t epoch = 0;
  {
    GatewayRun first(dir);
    first.ingest("a", "s1");
    atTwo = first.ingest("b", "s1");
    first.ingest("a", "s2");
    first.ingest("c", "s1");
    atFive = first.ingest("b", "s2");
    epoch = first.hub->epoch();
    first.hub.reset();
    first.writer->stop();  // SIGTERM: everything flushed, marked clean
  }
  GatewayRun second(dir);
  EXPECT_EQ(second.hub->epoch(), epoch);
  EXPECT_EQ(second.hub->lastSequence(), 5u);
  EXPECT_EQ(replayed(*second.hub, atTwo), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(replayed(*second.hub, atFive), (std::vector<std::uint64_t>{}));
  EXPECT_TRUE(second.hub->canResume(token(atFive)));
  const std::string next = second.ingest("a", "s3");
  EXPECT_EQ(token(next).sequence, 6u);
  EXPECT_EQ(replayed(*second.hub, atTwo), (std::vector<std::uint64_t>{3, 4, 5, 6}));
}

TEST(EventHubRecovery, RecoveredLatestSuppressesTheClustersRepeatOfItsState) {
  TempDir dir;
  {
    GatewayRun first(dir);
    first.ingest("a", "online");
    first.ingest("b", "offline");
    first.hub.reset();
    first.writer->stop();
  }
  GatewayRun second(dir);
  // The cluster answers the re-registration with the current state of each type.
  EXPECT_EQ(second.ingest("a", "online"), "") << "unchanged: suppressed";
  EXPECT_EQ(second.hub->duplicatesSuppressed(), 1u);
  EXPECT_EQ(token(second.ingest("b", "online")).sequence, 3u) << "changed: numbered on";
  const auto latest = second.hub->latest({kAllCluster});
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0]->sequence, 1u);
  EXPECT_TRUE(latest[0]->snapshot().Length() > 0);
}

TEST(EventHubRecovery, AfterACrashWithEverythingSavedTokensResumeAndNumbersAreNotReused) {
  TempDir dir;
  std::string atOne;
  {
    GatewayRun first(dir);
    atOne = first.ingest("a", "s1");
    first.ingest("a", "s2");
    ASSERT_TRUE(crnp::test::eventually([&] { return first.writer->stats().persisted == 2; }));
    // kill -9: the writer never marks a clean stop (abandon() keeps it from doing so here).
    first.writer->abandon();
    first.hub.reset();
  }
  GatewayRun second(dir);
  EXPECT_TRUE(second.recovered.uncleanStop);
  EXPECT_EQ(replayed(*second.hub, atOne), (std::vector<std::uint64_t>{2}));
  const std::string next = second.ingest("a", "s3");
  EXPECT_GT(token(next).sequence, kReserve) << "after the reserved ceiling";
  EXPECT_EQ(replayed(*second.hub, atOne), (std::vector<std::uint64_t>{2, token(next).sequence}));
}

// Holds the writer before its second transaction until released.
struct SecondBatchGate {
  void wait() {
    std::unique_lock lock(mutex);
    if (++batches != 2) return;
    held = true;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
  }
  void waitUntilHeld() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return held; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
  std::mutex mutex;
  std::condition_variable changed;
  int batches = 0;
  bool held = false;
  bool open = false;
};

TEST(EventHubRecovery, AfterACrashTokensBeforeUnsavedEventsResetWithTheReason) {
  TempDir dir;
  SecondBatchGate gate;
  std::string atOne, atTwo, atThree;
  {
    GatewayRun first(dir, 100, {[&] { gate.wait(); }});
    atOne = first.ingest("a", "s1");
    ASSERT_TRUE(crnp::test::eventually([&] { return first.writer->stats().persisted == 1; }));
    atTwo = first.ingest("a", "s2");  // taken by the held second transaction
    gate.waitUntilHeld();
    atThree = first.ingest("a", "s3");  // published, queued, never written: the process dies
    first.writer->abandon();
    first.hub.reset();
    gate.release();
  }
  GatewayRun second(dir);
  EXPECT_TRUE(second.recovered.mayHaveLostEvents);
  std::string reason;
  EXPECT_EQ(replayed(*second.hub, atTwo, &reason), (std::vector<std::uint64_t>{}));
  EXPECT_NE(reason.find("stopped without saving"), std::string::npos) << reason;
  EXPECT_NE(reason.find("after sequence 2"), std::string::npos) << reason;
  replayed(*second.hub, atOne, &reason);
  EXPECT_FALSE(reason.empty());
  // The client that had everything through the last published event misses nothing.
  const std::string next = second.ingest("a", "s4");
  EXPECT_EQ(replayed(*second.hub, atThree, &reason),
            (std::vector<std::uint64_t>{token(next).sequence}));
  EXPECT_EQ(reason, "");
}

TEST(EventHubRecovery, TokenBeforeTheRetainedEventsResets) {
  TempDir dir;
  std::string early;
  {
    GatewayRun first(dir, 3);
    early = first.ingest("a", "s1");
    for (int i = 2; i <= 6; ++i) first.ingest("a", "s" + std::to_string(i));
    first.hub.reset();
    first.writer->stop();
  }
  GatewayRun second(dir, 3);
  EXPECT_EQ(second.hub->bufferedEvents(), 3u);
  EXPECT_EQ(second.hub->coveredAfter(), 3u);
  std::string reason;
  replayed(*second.hub, early, &reason);
  EXPECT_NE(reason.find("no longer buffered"), std::string::npos) << reason;
  EXPECT_EQ(replayed(*second.hub, encodeResumeToken({second.hub->epoch(), 3})),
            (std::vector<std::uint64_t>{4, 5, 6}));
}

}  // namespace
}  // namespace gateway
