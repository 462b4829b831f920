#include "event_hub.hpp"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crnp/gateway/v1/gateway.pb.h"

namespace gateway {
namespace {

using namespace std::chrono_literals;
namespace pb = crnp::gateway::v1;

constexpr std::uint64_t kEpoch = 0xabcdef0123456789ULL;
const auto kReceived = std::chrono::system_clock::time_point(1'700'000'000s);

crnp::Event rgEvent(const std::string& group, const std::string& state) {
  return {
      "1.0",  "EC_Cluster", "ESC_cluster_rg_state",
      "SUNW", "rgm",        {{"rg_name", {group}}, {"node_list", {"n1"}}, {"state_list", {state}}}};
}

crnp::Event membershipEvent(const std::string& incarnation) {
  return {"1.0",  "EC_Cluster", "ESC_cluster_membership",
          "SUNW", "rgm",        {{"node_list", {"n1"}}, {"state_list", {incarnation}}}};
}

crnp::EventType rgType(const std::string& group) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {group}}}};
}

const crnp::EventType kAllCluster{"EC_Cluster", "", {}};

EventHubConfig config(std::size_t capacity = 100, std::size_t bytes = 1u << 20) {
  EventHubConfig c;
  c.ringCapacity = capacity;
  c.ringBytes = bytes;
  c.epoch = kEpoch;
  return c;
}

std::vector<std::uint64_t> sequences(const std::vector<StoredEventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& event : events) out.push_back(event->sequence);
  return out;
}

pb::SubscribeResponse parse(const grpc::ByteBuffer& buffer) {
  grpc::ByteBuffer copy(buffer);
  pb::SubscribeResponse response;
  EXPECT_TRUE(grpc::SerializationTraits<pb::SubscribeResponse>::Deserialize(&copy, &response).ok());
  return response;
}

const std::uint8_t* firstSliceData(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  EXPECT_EQ(slices.size(), 1u);
  return slices.empty() ? nullptr : slices.front().begin();
}

// Keeps what the hub hands it, as a stream would (copying the shared buffer).
struct RecordingSubscriber : EventSubscriber {
  void onEvent(const StoredEventPtr& event) override {
    events.push_back(event);
    buffers.push_back(event->live);
  }
  void onFellBehind() override { ++fellBehind; }
  std::vector<StoredEventPtr> events;
  std::vector<grpc::ByteBuffer> buffers;
  int fellBehind = 0;
};

TEST(EventHub, NumbersEventsFromOneInArrivalOrder) {
  EventHub hub(config());
  EXPECT_EQ(hub.lastSequence(), 0u);
  EXPECT_EQ(hub.ingest(membershipEvent("1"), kReceived)->sequence, 1u);
  EXPECT_EQ(hub.ingest(rgEvent("a", "ONLINE"), kReceived)->sequence, 2u);
  EXPECT_EQ(hub.ingest(rgEvent("a", "OFFLINE"), kReceived)->sequence, 3u);
  EXPECT_EQ(hub.lastSequence(), 3u);
  EXPECT_EQ(hub.epoch(), kEpoch);
}

TEST(EventHub, RandomEpochPerInstance) {
  EventHub first{EventHubConfig{}};
  EventHub second{EventHubConfig{}};
  EXPECT_NE(first.epoch(), second.epoch());
}

TEST(EventHub, LiveFormIsTheSubscribeResponseWithItsToken) {
  EventHub hub(config());
  hub.ingest(membershipEvent("1"), kReceived);
  const auto stored = hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  EXPECT_EQ(stored->key, rgType("a"));
  EXPECT_EQ(stored->resumeToken, encodeResumeToken({kEpoch, 2}));
  EXPECT_EQ(stored->bytes, stored->live.Length());

  const auto live = parse(stored->live);
  EXPECT_EQ(live.resume_token(), stored->resumeToken);
  ASSERT_TRUE(live.has_event());
  EXPECT_EQ(live.event().sequence(), 2u);
  EXPECT_FALSE(live.event().snapshot());
  EXPECT_EQ(live.event().resource_group().group(), "a");
  EXPECT_EQ(live.event().received_time().seconds(), 1'700'000'000);

  const auto snapshot = parse(stored->snapshot());
  EXPECT_EQ(snapshot.resume_token(), stored->resumeToken);
  EXPECT_TRUE(snapshot.event().snapshot());
  EXPECT_EQ(snapshot.event().sequence(), 2u);
}

TEST(EventHub, SerializesOnceWhateverTheNumberOfSubscribers) {
  EventHub hub(config());
  RecordingSubscriber first, second;
  hub.attach(first, {kAllCluster}, std::nullopt);
  hub.attach(second, {kAllCluster}, std::nullopt);
  for (int i = 0; i < 5; ++i) hub.ingest(rgEvent("a", std::to_string(i)), kReceived);

  EXPECT_EQ(hub.serializations(), 5u);
  ASSERT_EQ(first.buffers.size(), 5u);
  ASSERT_EQ(second.buffers.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    // Both subscribers' copies point at the very bytes serialized at ingest.
    EXPECT_EQ(firstSliceData(first.buffers[i]), firstSliceData(second.buffers[i]));
    EXPECT_EQ(firstSliceData(first.buffers[i]), firstSliceData(first.events[i]->live));
  }
}

TEST(EventHub, SnapshotFormIsBuiltOnceAcrossThreads) {
  EventHub hub(config());
  const auto stored = hub.ingest(membershipEvent("1"), kReceived);
  std::vector<const std::uint8_t*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back(
        [&, i] { seen[i] = firstSliceData(grpc::ByteBuffer(stored->snapshot())); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto* data : seen) EXPECT_EQ(data, seen.front());
  EXPECT_NE(seen.front(), firstSliceData(stored->live));
}

TEST(EventHub, RingEvictsByCount) {
  EventHub hub(config(3));
  for (int i = 0; i < 5; ++i) hub.ingest(membershipEvent(std::to_string(i)), kReceived);
  EXPECT_EQ(hub.bufferedEvents(), 3u);  // 3, 4, 5
  EXPECT_FALSE(hub.canResume({kEpoch, 0}));
  EXPECT_FALSE(hub.canResume({kEpoch, 1}));  // event 2 is gone
  EXPECT_TRUE(hub.canResume({kEpoch, 2}));
  EXPECT_TRUE(hub.canResume({kEpoch, 5}));
  EXPECT_FALSE(hub.canResume({kEpoch, 6}));      // ahead of the hub
  EXPECT_FALSE(hub.canResume({kEpoch + 1, 5}));  // another instance
}

TEST(EventHub, RingEvictsByBytes) {
  EventHub probe(config());
  const std::size_t size = probe.ingest(membershipEvent("1"), kReceived)->bytes;

  EventHub hub(config(100, size * 5 / 2));  // room for two
  for (int i = 0; i < 4; ++i) hub.ingest(membershipEvent(std::to_string(i % 10)), kReceived);
  EXPECT_EQ(hub.bufferedEvents(), 2u);
  EXPECT_LE(hub.bufferedBytes(), size * 5 / 2);
  EXPECT_TRUE(hub.canResume({kEpoch, 2}));
  EXPECT_FALSE(hub.canResume({kEpoch, 1}));
}

TEST(EventHub, KeepsTheNewestEventEvenWhenLargerThanTheRing) {
  EventHub hub(config(100, 1));
  hub.ingest(membershipEvent("1"), kReceived);
  hub.ingest(membershipEvent("2"), kReceived);
  EXPECT_EQ(hub.bufferedEvents(), 1u);
  EXPECT_TRUE(hub.canResume({kEpoch, 1}));
}

TEST(EventHub, EmptyHubResumesFromZero) {
  EventHub hub(config());
  EXPECT_TRUE(hub.canResume({kEpoch, 0}));
  EXPECT_FALSE(hub.canResume({kEpoch, 1}));
}

TEST(EventHub, LatestKeepsOneEventPerKeyInSequenceOrder) {
  EventHub hub(config());
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);                    // 1, replaced by 4
  hub.ingest(membershipEvent("1"), kReceived);                      // 2
  hub.ingest(rgEvent("b", "OFFLINE"), kReceived);                   // 3
  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);                   // 4
  hub.ingest({"1.0", "EC_Other", "", "SUNW", "x", {}}, kReceived);  // 5

  EXPECT_EQ(sequences(hub.latest({})), (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(sequences(hub.latest({kAllCluster})), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(sequences(hub.latest({rgType("a")})), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(sequences(hub.latest({rgType("b"), {"EC_Cluster", "ESC_cluster_membership", {}}})),
            (std::vector<std::uint64_t>{2, 3}));
  EXPECT_TRUE(hub.latest({rgType("zzz")}).empty());
}

TEST(EventHub, LatestForgetsTheStalestKeyBeyondItsLimit) {
  auto c = config();
  c.maxLatestKeys = 2;
  EventHub hub(c);
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);   // 1
  hub.ingest(rgEvent("b", "ONLINE"), kReceived);   // 2
  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);  // 3: a is fresh again
  hub.ingest(rgEvent("c", "ONLINE"), kReceived);   // 4: b goes
  EXPECT_EQ(sequences(hub.latest({})), (std::vector<std::uint64_t>{3, 4}));
}

TEST(EventHub, AttachWithoutTokenGivesTheSnapshotThenLiveEvents) {
  EventHub hub(config());
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  hub.ingest(rgEvent("b", "ONLINE"), kReceived);
  RecordingSubscriber subscriber;
  const auto attached = hub.attach(subscriber, {rgType("a")}, std::nullopt);
  EXPECT_TRUE(attached.snapshot);
  EXPECT_TRUE(attached.resetReason.empty());
  EXPECT_EQ(attached.sequence, 2u);
  EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{1}));

  hub.ingest(rgEvent("b", "OFFLINE"), kReceived);  // the hub hands every event; streams filter
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(hub.subscriberCount(), 1u);
  hub.detach(subscriber);
  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);
  EXPECT_EQ(subscriber.events.size(), 1u);
  EXPECT_EQ(hub.subscriberCount(), 0u);
}

TEST(EventHub, WithNoStreamAttachedTheFanOutIsNotWokenAndAStreamStartsAfterTheEvent) {
  int signals = 0;
  EventHub hub(config(), [&] { ++signals; });
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);
  EXPECT_EQ(signals, 0);  // nobody to hand them to
  RecordingSubscriber subscriber;
  const auto attached = hub.attach(subscriber, {rgType("a")}, std::nullopt);
  EXPECT_EQ(attached.sequence, 2u);
  hub.deliverPending();
  EXPECT_TRUE(subscriber.events.empty());  // both were before its attach
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  EXPECT_EQ(signals, 1);
  hub.deliverPending();
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{3}));
  hub.detach(subscriber);
}

TEST(EventHub, AttachWithNoTypesHasAnEmptySnapshot) {
  EventHub hub(config());
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  RecordingSubscriber subscriber;
  EXPECT_TRUE(hub.attach(subscriber, {}, std::nullopt).events.empty());
  hub.detach(subscriber);
}

TEST(EventHub, AttachWithBufferedTokenReplaysMatchingEvents) {
  EventHub hub(config());
  for (int i = 0; i < 6; ++i) {
    hub.ingest(rgEvent(i % 2 ? "a" : "b", std::to_string(i)), kReceived);  // a: 2 4 6
  }
  RecordingSubscriber subscriber;
  const auto attached = hub.attach(subscriber, {rgType("a")}, ResumeToken{kEpoch, 2});
  EXPECT_FALSE(attached.snapshot);
  EXPECT_TRUE(attached.resetReason.empty());
  EXPECT_EQ(attached.sequence, 6u);
  EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{4, 6}));
  hub.detach(subscriber);

  const auto upToDate = hub.attach(subscriber, {rgType("a")}, ResumeToken{kEpoch, 6});
  EXPECT_FALSE(upToDate.snapshot);
  EXPECT_TRUE(upToDate.events.empty());
  hub.detach(subscriber);
}

TEST(EventHub, AttachWithUnusableTokenResetsToASnapshot) {
  EventHub hub(config(2));
  for (int i = 0; i < 5; ++i) hub.ingest(rgEvent("a", std::to_string(i)), kReceived);
  RecordingSubscriber subscriber;
  for (const ResumeToken token :
       {ResumeToken{kEpoch, 1}, ResumeToken{kEpoch + 1, 5}, ResumeToken{kEpoch, 99}}) {
    const auto attached = hub.attach(subscriber, {rgType("a")}, token);
    EXPECT_TRUE(attached.snapshot) << token.sequence;
    EXPECT_FALSE(attached.resetReason.empty()) << token.sequence;
    EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{5}));
    hub.detach(subscriber);
  }
}

TEST(EventHub, ConcurrentIngestAndAttachLoseAndDuplicateNothing) {
  EventHub hub(config(10'000));
  constexpr int kEvents = 2'000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kEvents; ++i) hub.ingest(rgEvent("a", std::to_string(i)), kReceived);
    done = true;
  });
  // Each attach's replay plus what onEvent brings must be exactly the events after the token.
  while (!done) {
    RecordingSubscriber subscriber;
    const auto attached = hub.attach(subscriber, {rgType("a")}, ResumeToken{kEpoch, 0});
    hub.detach(subscriber);
    auto all = sequences(attached.events);
    for (const auto& event : subscriber.events) all.push_back(event->sequence);
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i + 1);
  }
  producer.join();
  EXPECT_EQ(hub.lastSequence(), static_cast<std::uint64_t>(kEvents));
}

crnp::Event withPair(crnp::Event event, const std::string& name, const std::string& value) {
  event.nvpairs.push_back({name, {value}});
  return event;
}

TEST(EventHub, RepeatOfTheLatestEventOfItsKeyIsNotPublished) {
  EventHub hub(config());
  RecordingSubscriber subscriber;
  hub.attach(subscriber, {kAllCluster}, std::nullopt);
  ASSERT_TRUE(hub.ingest(rgEvent("a", "ONLINE"), kReceived));
  ASSERT_TRUE(hub.ingest(membershipEvent("1"), kReceived));

  // The server's answer to a re-registration: the latest event of each type, again.
  EXPECT_EQ(hub.ingest(rgEvent("a", "ONLINE"), kReceived), nullptr);
  EXPECT_EQ(hub.ingest(membershipEvent("1"), kReceived), nullptr);
  EXPECT_EQ(hub.duplicatesSuppressed(), 2u);
  EXPECT_EQ(hub.lastSequence(), 2u) << "no sequence number";
  EXPECT_EQ(hub.bufferedEvents(), 2u) << "not in the ring";
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2})) << "not handed out";
  EXPECT_EQ(hub.serializations(), 2u) << "not even serialized";
  EXPECT_EQ(sequences(hub.latest({})), (std::vector<std::uint64_t>{1, 2}));

  // The same state under another key is news.
  EXPECT_EQ(hub.ingest(rgEvent("b", "ONLINE"), kReceived)->sequence, 3u);
  EXPECT_EQ(hub.duplicatesSuppressed(), 2u);
  hub.detach(subscriber);
}

TEST(EventHub, RepeatDifferingOnlyInServerPrivatePairsIsNotPublished) {
  EventHub hub(config());
  const auto first = hub.ingest(withPair(rgEvent("a", "ONLINE"), "ev_sequence", "41"), kReceived);
  ASSERT_TRUE(first);
  // A restarted server's current-state event carries other ev_ pairs, or none.
  EXPECT_EQ(hub.ingest(withPair(rgEvent("a", "ONLINE"), "ev_sequence", "1"), kReceived), nullptr);
  EXPECT_EQ(hub.ingest(rgEvent("a", "ONLINE"), kReceived), nullptr);
  EXPECT_EQ(hub.duplicatesSuppressed(), 2u);
  const auto latest = hub.latest({rgType("a")});
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest.front(), first) << "the published event stays the latest";
  // A pair a client sees is not server-private, whatever else stays equal.
  EXPECT_TRUE(hub.ingest(withPair(rgEvent("a", "ONLINE"), "reason", "x"), kReceived));
}

TEST(EventHub, ChangedStateIsPublished) {
  EventHub hub(config());
  RecordingSubscriber subscriber;
  hub.attach(subscriber, {rgType("a")}, std::nullopt);
  ASSERT_TRUE(hub.ingest(rgEvent("a", "ONLINE"), kReceived));
  const auto changed = hub.ingest(rgEvent("a", "OFFLINE"), kReceived);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->sequence, 2u);
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(sequences(hub.latest({rgType("a")})), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(hub.duplicatesSuppressed(), 0u);
  hub.detach(subscriber);
}

TEST(EventHub, GoingBackToAnEarlierStateIsPublished) {
  // Only the latest event of the key counts: A, B, A is three changes.
  EventHub hub(config());
  RecordingSubscriber subscriber;
  hub.attach(subscriber, {rgType("a")}, std::nullopt);
  for (const char* state : {"ONLINE", "OFFLINE", "ONLINE"}) {
    EXPECT_TRUE(hub.ingest(rgEvent("a", state), kReceived)) << state;
  }
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(hub.duplicatesSuppressed(), 0u);
  hub.detach(subscriber);
}

TEST(EventHub, ResumedStreamSeesNoRepeat) {
  EventHub hub(config());
  ASSERT_TRUE(hub.ingest(rgEvent("a", "ONLINE"), kReceived));  // 1: the stream had it
  EXPECT_FALSE(hub.ingest(rgEvent("a", "ONLINE"), kReceived));
  ASSERT_TRUE(hub.ingest(rgEvent("b", "ONLINE"), kReceived));  // 2
  EXPECT_FALSE(hub.ingest(withPair(rgEvent("b", "ONLINE"), "ev_sequence", "9"), kReceived));
  ASSERT_TRUE(hub.ingest(rgEvent("a", "OFFLINE"), kReceived));  // 3

  RecordingSubscriber subscriber;
  const auto attached = hub.attach(subscriber, {kAllCluster}, ResumeToken{kEpoch, 1});
  EXPECT_FALSE(attached.snapshot);
  EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{2, 3}));
  hub.detach(subscriber);
}

// A stream's hand-over happens outside the lock that attaches, snapshots and resume checks
// take: while one subscriber is slow to take an event, the rest of the hub still answers.
TEST(EventHub, ReadersAndAttachesDoNotWaitForAHandOverInProgress) {
  EventHub hub(config());
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  std::promise<void> entered;
  std::promise<void> release;
  struct SlowSubscriber : EventSubscriber {
    std::promise<void>* entered;
    std::shared_future<void> released;
    void onEvent(const StoredEventPtr&) override {
      entered->set_value();
      released.wait();
    }
    void onFellBehind() override { ADD_FAILURE() << "the fan-out cannot fall behind here"; }
  } slow;
  slow.entered = &entered;
  slow.released = release.get_future().share();
  hub.attach(slow, {rgType("a")}, std::nullopt);

  std::thread ingesting([&] { hub.ingest(rgEvent("a", "OFFLINE"), kReceived); });
  entered.get_future().wait();
  RecordingSubscriber late;
  auto others = std::async(std::launch::async, [&] {
    const auto attached = hub.attach(late, {rgType("a")}, ResumeToken{kEpoch, 1});
    EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(sequences(hub.latest({})), (std::vector<std::uint64_t>{2}));
    EXPECT_TRUE(hub.canResume({kEpoch, 2}));
    return attached.sequence;
  });
  const bool answered = others.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  ingesting.join();
  ASSERT_TRUE(answered) << "the hub's readers waited for a subscriber";
  EXPECT_EQ(others.get(), 2u);
  hub.detach(slow);
  hub.detach(late);  // waits for a hand-over in progress: only now, after the release
}

// Two stages: the ingesting thread appends and signals; subscribers see events only when the
// fan-out runs. The signal is coalesced while a hand-out is due.
TEST(EventHub, IngestSignalsTheFanoutOnceAndNeverCallsSubscribers) {
  int signals = 0;
  EventHub hub(config(), [&] { ++signals; });
  RecordingSubscriber subscriber;
  hub.attach(subscriber, {kAllCluster}, std::nullopt);

  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  hub.ingest(rgEvent("b", "ONLINE"), kReceived);
  hub.ingest(membershipEvent("7"), kReceived);
  EXPECT_EQ(signals, 1);
  EXPECT_TRUE(subscriber.events.empty()) << "ingest handed events out itself";

  hub.deliverPending();
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2, 3}));
  hub.deliverPending();  // nothing new: nothing handed out twice
  EXPECT_EQ(subscriber.events.size(), 3u);

  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);
  EXPECT_EQ(signals, 2) << "the fan-out went idle, so the next event must signal it again";
  hub.deliverPending();
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  hub.detach(subscriber);
}

// An attach between an event's append and its hand-out gets it in its snapshot only.
TEST(EventHub, SubscriberAttachedBeforeTheFanoutRanGetsNoDuplicate) {
  EventHub hub(config(), [] {});
  RecordingSubscriber early;
  hub.attach(early, {kAllCluster}, std::nullopt);
  hub.ingest(rgEvent("a", "ONLINE"), kReceived);
  RecordingSubscriber late;
  const auto attached = hub.attach(late, {kAllCluster}, std::nullopt);
  EXPECT_EQ(sequences(attached.events), (std::vector<std::uint64_t>{1}));
  hub.ingest(rgEvent("a", "OFFLINE"), kReceived);

  hub.deliverPending();
  EXPECT_EQ(sequences(early.events), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(sequences(late.events), (std::vector<std::uint64_t>{2}));
  hub.detach(early);
  hub.detach(late);
}

// A fan-out that falls behind its backlog bound loses nothing silently: the subscribers that
// missed events are told and removed; one attached after the gap is served.
TEST(EventHub, FanoutBehindItsBacklogTellsTheSubscribersThatMissedEvents) {
  EventHubConfig small = config();
  small.fanoutBacklogEvents = 2;
  EventHub hub(small, [] {});
  RecordingSubscriber behind;
  hub.attach(behind, {kAllCluster}, std::nullopt);
  for (int i = 0; i < 4; ++i) hub.ingest(membershipEvent(std::to_string(i)), kReceived);
  RecordingSubscriber current;  // attached at 4: it needs 5 on, which the ring will keep
  hub.attach(current, {kAllCluster}, std::nullopt);
  hub.ingest(membershipEvent("4"), kReceived);

  hub.deliverPending();
  EXPECT_EQ(behind.fellBehind, 1);
  EXPECT_TRUE(behind.events.empty()) << "events after a gap were handed out";
  EXPECT_EQ(hub.fanoutOverruns(), 3u);  // 1..3 left the backlog unseen; 4 and 5 are kept
  EXPECT_EQ(current.fellBehind, 0);
  EXPECT_EQ(sequences(current.events), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(hub.subscriberCount(), 1u);

  hub.ingest(membershipEvent("5"), kReceived);
  hub.deliverPending();
  EXPECT_TRUE(behind.events.empty());
  EXPECT_EQ(behind.fellBehind, 1);
  EXPECT_EQ(sequences(current.events), (std::vector<std::uint64_t>{5, 6}));
  hub.detach(behind);  // already removed: a no-op
  hub.detach(current);
}

// The ring bounds resume, not live delivery: a fan-out behind a tiny ring still hands out all.
TEST(EventHub, SmallRingDoesNotLimitTheFanoutBacklog) {
  EventHub hub(config(/*capacity=*/1), [] {});
  RecordingSubscriber subscriber;
  hub.attach(subscriber, {kAllCluster}, std::nullopt);
  for (int i = 0; i < 5; ++i) hub.ingest(membershipEvent(std::to_string(i)), kReceived);
  EXPECT_EQ(hub.bufferedEvents(), 1u);
  hub.deliverPending();
  EXPECT_EQ(sequences(subscriber.events), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(subscriber.fellBehind, 0);
  EXPECT_EQ(hub.fanoutOverruns(), 0u);
  hub.detach(subscriber);
}

// With the fan-out on its own thread, an ingest completes while a subscriber blocks.
TEST(EventHub, IngestDoesNotWaitForASubscriberBlockedInTheFanout) {
  std::promise<void> entered;
  std::promise<void> release;
  struct BlockingSubscriber : EventSubscriber {
    std::promise<void>* entered;
    std::shared_future<void> released;
    std::atomic<int> events{0};
    void onEvent(const StoredEventPtr&) override {
      if (events.fetch_add(1) == 0) {
        entered->set_value();
        released.wait();
      }
    }
    void onFellBehind() override { ADD_FAILURE() << "the ring is large enough"; }
  } blocking;
  blocking.entered = &entered;
  blocking.released = release.get_future().share();

  std::mutex mutex;
  std::condition_variable wake;
  bool due = false;
  bool stopping = false;
  EventHub hub(config(), [&] {
    std::lock_guard lock(mutex);
    due = true;
    wake.notify_one();
  });
  std::thread fanout([&] {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return due || stopping; });
      if (!due) return;
      due = false;
      lock.unlock();
      hub.deliverPending();
      lock.lock();
    }
  });
  hub.attach(blocking, {kAllCluster}, std::nullopt);
  hub.ingest(membershipEvent("1"), kReceived);
  entered.get_future().wait();  // the fan-out is stuck in the subscriber

  auto ingesting = std::async(std::launch::async, [&] {
    for (int i = 2; i <= 50; ++i) hub.ingest(membershipEvent(std::to_string(i)), kReceived);
  });
  const bool finished = ingesting.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  ASSERT_TRUE(finished) << "ingest waited for a subscriber";
  EXPECT_EQ(hub.lastSequence(), 50u);
  // deliverPending returns only when nothing is left, so by the time the thread idles again
  // the subscriber has all 50.
  {
    std::unique_lock lock(mutex);
    stopping = true;
    wake.notify_one();
  }
  fanout.join();
  hub.deliverPending();
  EXPECT_EQ(blocking.events.load(), 50);
  hub.detach(blocking);
}

}  // namespace
}  // namespace gateway
