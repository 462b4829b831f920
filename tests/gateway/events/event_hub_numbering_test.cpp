// EventHub's numbering rules with a journal (a fake one) and with sequences given from
// outside: coverage instead of consecutive numbers, and no number beyond the reservation.
#include <gtest/gtest.h>

#include "event_hub.hpp"

namespace gateway {
namespace {

constexpr std::uint64_t kEpoch = 0xabcdef0123456789ULL;
const auto kReceived = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
const crnp::EventType kAllCluster{"EC_Cluster", "", {}};

crnp::Event markerEvent(int n) {
  return {"1.0",  "EC_Cluster", "ESC_cluster_test_marker",
          "SUNW", "test",       {{"marker", {std::to_string(n)}}}};
}

struct FakeJournal : EventJournal {
  void append(std::shared_ptr<const StoredEvent> event) override { appended.push_back(event); }
  std::uint64_t reservedThrough() const override { return reserved; }
  void abandon() override { abandoned = true; }
  std::vector<StoredEventPtr> appended;
  std::uint64_t reserved = 0;
  bool abandoned = false;
};

struct NullSubscriber : EventSubscriber {
  void onEvent(const StoredEventPtr&) override {}
  void onFellBehind() override {}
};

EventHubConfig config(std::size_t ring = 100) {
  EventHubConfig c;
  c.ringCapacity = ring;
  c.epoch = kEpoch;
  return c;
}

AttachResult attachAt(EventHub& hub, std::uint64_t sequence) {
  NullSubscriber subscriber;
  auto result = hub.attach(subscriber, {kAllCluster}, ResumeToken{hub.epoch(), sequence});
  hub.detach(subscriber);
  return result;
}

std::vector<std::uint64_t> sequences(const std::vector<StoredEventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& event : events) out.push_back(event->sequence);
  return out;
}

TEST(EventHubNumbering, EveryPublishedEventGoesToTheJournalInOrder) {
  FakeJournal journal;
  journal.reserved = 100;
  EventHub hub(config(), {}, &journal);
  for (int i = 0; i < 3; ++i) hub.ingest(markerEvent(i), kReceived);
  hub.ingest(markerEvent(2), kReceived);  // a repeat: not published, not journaled
  EXPECT_EQ(sequences(journal.appended), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(hub.published(), 3u);
}

TEST(EventHubNumbering, NeverNumbersBeyondTheReservationMovesToANewEpochInstead) {
  FakeJournal journal;
  journal.reserved = 2;
  EventHub hub(config(), {}, &journal);
  const auto before = hub.ingest(markerEvent(1), kReceived);
  hub.ingest(markerEvent(2), kReceived);
  const auto beyond = hub.ingest(markerEvent(3), kReceived);
  ASSERT_TRUE(beyond);
  EXPECT_TRUE(journal.abandoned);
  EXPECT_EQ(journal.appended.size(), 2u) << "nothing more goes to an abandoned journal";
  EXPECT_NE(hub.epoch(), kEpoch);
  EXPECT_EQ(decodeResumeToken(beyond->resumeToken)->epoch, hub.epoch());
  NullSubscriber subscriber;
  auto old = hub.attach(subscriber, {kAllCluster}, decodeResumeToken(before->resumeToken));
  hub.detach(subscriber);
  EXPECT_FALSE(old.resetReason.empty()) << "tokens of the old epoch reset";
  EXPECT_EQ(sequences(attachAt(hub, 2).events), (std::vector<std::uint64_t>{3}));
}

TEST(EventHubNumbering, ResumeWithGivenSequencesDoesNotAssumeConsecutiveNumbers) {
  EventHub hub(config(3));
  for (std::uint64_t s : {10, 15, 20}) ASSERT_TRUE(hub.ingestAt(s, markerEvent(int(s)), kReceived));
  EXPECT_EQ(hub.lastSequence(), 20u);
  EXPECT_EQ(sequences(attachAt(hub, 10).events), (std::vector<std::uint64_t>{15, 20}));
  EXPECT_EQ(sequences(attachAt(hub, 12).events), (std::vector<std::uint64_t>{15, 20}))
      << "a position between two events is covered";
  EXPECT_EQ(sequences(attachAt(hub, 0).events), (std::vector<std::uint64_t>{10, 15, 20}));
  ASSERT_TRUE(hub.ingestAt(31, markerEvent(31), kReceived));  // evicts 10
  EXPECT_EQ(hub.coveredAfter(), 10u);
  EXPECT_FALSE(attachAt(hub, 9).resetReason.empty());
  EXPECT_EQ(sequences(attachAt(hub, 10).events), (std::vector<std::uint64_t>{15, 20, 31}));
  EXPECT_FALSE(attachAt(hub, 32).resetReason.empty()) << "ahead of the hub";
}

TEST(EventHubNumbering, GivenSequenceNotAboveTheLastIsNotPublished) {
  EventHub hub(config());
  ASSERT_TRUE(hub.ingestAt(10, markerEvent(1), kReceived));
  EXPECT_EQ(hub.ingestAt(10, markerEvent(2), kReceived), nullptr);
  EXPECT_EQ(hub.ingestAt(7, markerEvent(3), kReceived), nullptr);
  EXPECT_EQ(hub.lastSequence(), 10u);
  EXPECT_EQ(hub.ingest(markerEvent(4), kReceived)->sequence, 11u);
}

TEST(EventHubNumbering, RecoveredStateIsWhereTheHubContinues) {
  RecoveredEvents recovered;
  recovered.epoch = 77;
  recovered.lastSequence = 500;
  recovered.coveredAfter = 400;
  recovered.retained = {{450, markerEvent(450), kReceived}, {500, markerEvent(500), kReceived}};
  recovered.latest = recovered.retained;
  EventHub hub(config(), {}, nullptr, recovered);
  EXPECT_EQ(hub.epoch(), 77u);
  EXPECT_EQ(hub.lastSequence(), 500u);
  EXPECT_EQ(hub.published(), 0u);
  EXPECT_EQ(sequences(attachAt(hub, 400).events), (std::vector<std::uint64_t>{450, 500}));
  EXPECT_FALSE(attachAt(hub, 399).resetReason.empty());
  EXPECT_EQ(hub.ingest(markerEvent(500), kReceived), nullptr) << "repeat of a recovered latest";
  EXPECT_EQ(hub.ingest(markerEvent(501), kReceived)->sequence, 501u);
}

}  // namespace
}  // namespace gateway

namespace gateway {
namespace {

struct FellBehindCounter : EventSubscriber {
  void onEvent(const StoredEventPtr& event) override { events.push_back(event->sequence); }
  void onFellBehind() override { ++fellBehind; }
  std::vector<std::uint64_t> events;
  int fellBehind = 0;
};

TEST(EventHubNumbering, ADeclaredGapEndsEveryAttachedStreamAndResetsTokensBeforeIt) {
  EventHub hub(config());
  hub.ingestAt(10, markerEvent(1), kReceived);
  hub.ingestAt(12, markerEvent(2), kReceived);
  FellBehindCounter attached;
  hub.attach(attached, {kAllCluster}, std::nullopt);

  hub.declareGap(20);  // events 13..20 will never arrive here
  EXPECT_EQ(attached.fellBehind, 1) << "a stream that would miss them is ended, not served a gap";
  EXPECT_EQ(hub.lastSequence(), 20u);
  EXPECT_FALSE(attachAt(hub, 12).resetReason.empty()) << "a token before the gap resets";
  EXPECT_TRUE(attachAt(hub, 20).resetReason.empty()) << "a token at its end resumes";

  FellBehindCounter after;
  hub.attach(after, {kAllCluster}, std::nullopt);
  EXPECT_FALSE(hub.ingestAt(20, markerEvent(3), kReceived)) << "numbering goes on after it";
  ASSERT_TRUE(hub.ingestAt(21, markerEvent(3), kReceived));
  EXPECT_EQ(after.events, (std::vector<std::uint64_t>{21}));
  EXPECT_EQ(after.fellBehind, 0);
  EXPECT_TRUE(attached.events.empty()) << "nothing reaches a stream that was ended";
  hub.detach(after);

  hub.declareGap(5);  // not above the last: nothing happens
  EXPECT_EQ(hub.lastSequence(), 21u);
}

}  // namespace
}  // namespace gateway
