// The event log's etcd value: round trip, the numbering of entries, and refusal of anything
// the leader cannot have written (an etcd shared with other writers, a damaged value).
#include "log_entry_codec.hpp"

#include <gtest/gtest.h>

namespace gateway::ha {
namespace {

const auto kReceived = std::chrono::system_clock::time_point(
    std::chrono::nanoseconds(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::nanoseconds(1'700'000'000'123'456'789))));

LogEntry sample(unsigned place = 3, std::uint64_t previous = 0) {
  return {{"1.0",
           "EC_Cluster",
           "ESC_cluster_rg_state",
           "SUNW",
           "rgm",
           {{"rg_name", {"rg1"}}, {"rg_state", {"ONLINE"}}}},
          kReceived,
          place,
          previous};
}

TEST(LogEntryCodec, RoundTripsEveryField) {
  for (const auto& entry : {sample(), sample(0, 77), sample(kPlacesPerRevision - 1)}) {
    auto decoded = decodeLogEntry(encodeLogEntry(entry));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->event, entry.event);
    EXPECT_EQ(decoded->received, entry.received);
    EXPECT_EQ(decoded->place, entry.place);
    EXPECT_EQ(decoded->previous, entry.previous);
  }
}

TEST(LogEntryCodec, NumbersOrderByRevisionThenPlace) {
  EXPECT_LT(sequenceOf(7, kPlacesPerRevision - 1), sequenceOf(8, 0));
  EXPECT_EQ(lastSequenceOf(7), sequenceOf(8, 0) - 1);
  EXPECT_EQ(revisionOf(sequenceOf(123, 45)), 123);
  EXPECT_EQ(previousSequence(sample(0, 77), sequenceOf(9, 0)), 77u) << "place 0 carries it";
  EXPECT_EQ(previousSequence(sample(2), sequenceOf(9, 2)), sequenceOf(9, 1));
}

TEST(LogEntryCodec, RefusesWhatTheLeaderCannotHaveWritten) {
  const std::string json = encodeLogEntry(sample()).substr(encodeLogEntry(sample()).find('\n'));
  for (const std::string& bad : std::vector<std::string>{
           "", "garbage", "1 2 3", "1 2\n{}", "x 2 3" + json, "1 y 3" + json, "1 2 z" + json,
           "1  3" + json, " 2 3" + json, "1 2 3 4" + json, "-1 2 " + json, "1 1024 0" + json,
           "1 2 3\n{\"class\": 5}", "1 2 -3" + json}) {
    EXPECT_FALSE(decodeLogEntry(bad)) << bad;
  }
}

}  // namespace
}  // namespace gateway::ha
