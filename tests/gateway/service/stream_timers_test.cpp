// StreamTimers: deadlines fire in order, once, replaced ones not at all; a removed client is
// never called again, even when its deadline was due; many clients share one thread. Real
// time with short deadlines: the timers' thread is the unit under test.
#include "stream_timers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "eventually.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;
using Kind = StreamTimers::Kind;
using Clock = StreamTimers::Clock;

struct RecordingClient : StreamTimers::Client {
  void onTimer(Kind kind) override {
    std::lock_guard lock(mutex);
    calls.push_back(kind);
    if (onCall) onCall();
  }
  std::vector<Kind> recorded() {
    std::lock_guard lock(mutex);
    return calls;
  }
  std::mutex mutex;
  std::vector<Kind> calls;
  std::function<void()> onCall;
};

TEST(StreamTimersTest, EachDeadlineFiresOnceInDeadlineOrder) {
  StreamTimers timers;
  RecordingClient client;
  const auto id = timers.add(client);
  const auto now = Clock::now();
  timers.schedule(id, Kind::MaxAge, now + 60ms);
  timers.schedule(id, Kind::Heartbeat, now + 20ms);
  ASSERT_TRUE(crnp::test::eventually([&] { return client.recorded().size() == 2; }));
  EXPECT_EQ(client.recorded(), (std::vector<Kind>{Kind::Heartbeat, Kind::MaxAge}));
  std::this_thread::sleep_for(50ms);  // nothing else is due: nothing more comes
  EXPECT_EQ(client.recorded().size(), 2u);
  timers.remove(id);
}

TEST(StreamTimersTest, ARescheduledDeadlineFiresOnlyAtItsNewTime) {
  StreamTimers timers;
  RecordingClient client;
  const auto id = timers.add(client);
  const auto start = Clock::now();
  timers.schedule(id, Kind::Heartbeat, start + 20ms);
  timers.schedule(id, Kind::Heartbeat, start + 150ms);  // replaces the first
  Clock::time_point firedAt;
  client.onCall = [&] { firedAt = Clock::now(); };
  ASSERT_TRUE(crnp::test::eventually([&] { return client.recorded().size() == 1; }));
  EXPECT_GE(firedAt - start, 150ms);
  timers.remove(id);
}

TEST(StreamTimersTest, ARemovedClientIsNeverCalled) {
  StreamTimers timers;
  auto gone = std::make_unique<RecordingClient>();
  RecordingClient stays;
  const auto goneId = timers.add(*gone);
  const auto staysId = timers.add(stays);
  const auto now = Clock::now();
  timers.schedule(goneId, Kind::Heartbeat, now + 30ms);
  timers.schedule(staysId, Kind::Heartbeat, now + 40ms);
  timers.remove(goneId);
  gone.reset();  // a call now would touch freed memory (ASan would say)
  ASSERT_TRUE(crnp::test::eventually([&] { return stays.recorded().size() == 1; }));
  timers.schedule(goneId, Kind::Heartbeat, now);  // unknown id: ignored
  EXPECT_EQ(timers.size(), 1u);
  timers.remove(staysId);
}

TEST(StreamTimersTest, RemoveWaitsForACallInProgress) {
  StreamTimers timers;
  RecordingClient client;
  std::atomic<bool> inCall{false};
  std::atomic<bool> callDone{false};
  client.onCall = [&] {
    inCall = true;
    std::this_thread::sleep_for(50ms);
    callDone = true;
  };
  const auto id = timers.add(client);
  timers.schedule(id, Kind::Heartbeat, Clock::now());
  ASSERT_TRUE(crnp::test::eventually([&] { return inCall.load(); }));
  timers.remove(id);
  EXPECT_TRUE(callDone);
}

TEST(StreamTimersTest, ManyClientsChurningKeepTheHeapBounded) {
  StreamTimers timers;
  std::vector<std::unique_ptr<RecordingClient>> clients;
  // Streams that come and go leave far deadlines behind (their maximum age).
  for (int i = 0; i < 20'000; ++i) {
    RecordingClient client;
    const auto id = timers.add(client);
    timers.schedule(id, Kind::MaxAge, Clock::now() + 1h);
    timers.remove(id);
  }
  EXPECT_EQ(timers.size(), 0u);
  EXPECT_LE(timers.heldDeadlines(), 64u);
  // And a client that reschedules from its own call keeps firing.
  RecordingClient ticking;
  StreamTimers::Id tickingId = timers.add(ticking);
  ticking.onCall = [&] { timers.schedule(tickingId, Kind::Heartbeat, Clock::now() + 1ms); };
  timers.schedule(tickingId, Kind::Heartbeat, Clock::now());
  ASSERT_TRUE(crnp::test::eventually([&] { return ticking.recorded().size() >= 20; }));
  timers.remove(tickingId);
}

}  // namespace
}  // namespace gateway
