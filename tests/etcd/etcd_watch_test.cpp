// EtcdWatch against a real etcd: order, exactly-once delivery across member failures, and
// compaction.
#include "etcd_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "etcd_test_support.hpp"
#include "eventually.hpp"

namespace gateway::etcd {
namespace {

using namespace std::chrono_literals;
using crnp::test::eventually;
using testing::connectOrFail;
using testing::EtcdCluster;

// Everything a watch delivered, for assertions from the test's thread.
class Recorder {
 public:
  EtcdWatchHandlers handlers() {
    EtcdWatchHandlers h;
    h.onEvents = [this](EtcdWatchBatch batch) {
      std::lock_guard lock(mutex_);
      for (const auto& event : batch.events) {
        EXPECT_LE(event.kv().mod_revision(), batch.headerRevision);
        events_.push_back(event);
      }
    };
    h.onCompacted = [this](std::int64_t revision) -> std::optional<std::int64_t> {
      std::lock_guard lock(mutex_);
      compacted_ = revision;
      return std::nullopt;
    };
    h.onError = [this](const EtcdError&) { ++errors_; };
    return h;
  }
  std::vector<mvccpb::Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }
  std::int64_t compacted() const {
    std::lock_guard lock(mutex_);
    return compacted_;
  }
  int errors() const { return errors_; }

 private:
  mutable std::mutex mutex_;
  std::vector<mvccpb::Event> events_;
  std::int64_t compacted_ = 0;
  std::atomic<int> errors_{0};
};

TEST(EtcdWatch, DeliversPutsAndDeletesUnderThePrefixInOrderFromARevision) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto before = client->put("/w/before", "0");  // history the watch starts within
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(client->put("/other", "x").ok());
  Recorder recorder;
  EtcdWatch watch(client, "/w/", before.value().header().revision(), recorder.handlers());
  ASSERT_TRUE(client->put("/w/a", "1").ok());
  ASSERT_TRUE(client->put("/x", "not watched").ok());
  ASSERT_TRUE(client->remove("/w/before").ok());
  ASSERT_TRUE(eventually([&] { return recorder.count() == 3; }, 5s)) << recorder.count();
  const auto events = recorder.events();
  EXPECT_EQ(events[0].kv().key(), "/w/before");
  EXPECT_EQ(events[1].kv().key(), "/w/a");
  EXPECT_EQ(events[1].kv().value(), "1");
  EXPECT_EQ(events[2].type(), mvccpb::Event::DELETE);
  EXPECT_EQ(events[2].kv().key(), "/w/before");
  EXPECT_EQ(watch.nextRevision(), events[2].kv().mod_revision() + 1);
}

// Writes go on while members are killed and restarted one after the other, so the watch's
// stream (on whichever member the channel is on) breaks at least once; every write must
// arrive exactly once, in order.
TEST(EtcdWatch, ReconnectsAcrossMemberFailuresWithoutLosingOrRepeatingEvents) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(3);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto start = client->put("/start", "");
  ASSERT_TRUE(start.ok());
  Recorder recorder;
  EtcdWatch watch(client, "/seq/", start.value().header().revision() + 1, recorder.handlers());

  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto writerClient = connectOrFail(cluster);
    for (int i = 0; !done; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "/seq/%06d", i);
      // A write that fails (its member died under it) is repeated until it is in: the key
      // names the write, so the watch must show each key exactly once (a repeat after an
      // unknown outcome would show as the same key twice, which the test tolerates below
      // only for identical values).
      while (!done && !writerClient->put(key, std::to_string(i)).ok()) {
        std::this_thread::sleep_for(20ms);
      }
      ++written;
      std::this_thread::sleep_for(5ms);
    }
  });
  for (int member = 0; member < 3; ++member) {
    const int target = written + 20;
    ASSERT_TRUE(eventually([&] { return written >= target; }, 10s));
    cluster.kill(member);
    const int during = written + 20;
    ASSERT_TRUE(eventually([&] { return written >= during; }, 10s));
    cluster.restart(member);
  }
  done = true;
  writer.join();

  const int total = written;
  ASSERT_TRUE(eventually([&] { return recorder.count() >= static_cast<std::size_t>(total); }, 10s))
      << recorder.count() << " of " << total;
  const auto events = recorder.events();
  std::int64_t lastRevision = 0;
  std::string lastKey;
  for (const auto& event : events) {
    EXPECT_GT(event.kv().mod_revision(), lastRevision) << "repeated or out of order";
    EXPECT_GE(event.kv().key(), lastKey);
    lastRevision = event.kv().mod_revision();
    lastKey = event.kv().key();
  }
  // Every revision from the first to the last event is there: the watched prefix is the only
  // thing written, so the revisions are consecutive.
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kv().mod_revision() - events.front().kv().mod_revision() + 1,
            static_cast<std::int64_t>(events.size()));
  EXPECT_GE(watch.streamsOpened(), 2) << "no member failure reached the watch's stream";
  EXPECT_GE(recorder.errors(), 1);
}

TEST(EtcdWatch, ReportsCompactionAndContinuesFromTheRevisionTheCallerGives) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto first = client->put("/c/a", "1");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(client->put("/c/a", "2").ok());
  auto third = client->put("/c/a", "3");
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(client->compact(third.value().header().revision()).ok());

  std::mutex mutex;
  std::int64_t compactedAt = 0;
  std::vector<std::string> values;
  EtcdWatchHandlers handlers;
  handlers.onEvents = [&](EtcdWatchBatch batch) {
    std::lock_guard lock(mutex);
    for (const auto& event : batch.events) values.push_back(event.kv().value());
  };
  handlers.onCompacted = [&](std::int64_t revision) -> std::optional<std::int64_t> {
    std::lock_guard lock(mutex);
    compactedAt = revision;
    return revision + 1;  // as a caller that reloaded the state at `revision` would
  };
  EtcdWatch watch(client, "/c/", first.value().header().revision(), handlers);
  ASSERT_TRUE(client->put("/c/a", "4").ok());
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !values.empty();
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(compactedAt, third.value().header().revision());
  EXPECT_EQ(values, std::vector<std::string>{"4"});
}

}  // namespace
}  // namespace gateway::etcd
