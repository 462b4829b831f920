// Subscribe with max_batch over a real gRPC stream: a stream that fell behind (its client did
// not read; HTTP/2 flow control stopped the writes) catches up in batch messages that carry
// every event once, in order, each with its own resume token; a stream that keeps up gets each
// event alone; bad max_batch values are refused.
#include "subscribe_fixture.hpp"

namespace gateway::subscribe_test {
namespace {

constexpr std::size_t kPadding = 8 * 1024;  // 100 events fill the 64 KiB HTTP/2 window

struct Delivery {
  std::uint64_t sequence;
  std::string token;
};

// Reads until `count` events arrived, from events and batches alike. `messages` counts the
// messages that carried them.
std::vector<Delivery> readEvents(StreamClient& client, std::size_t count, std::size_t& messages,
                                 std::size_t& batches) {
  std::vector<Delivery> out;
  while (out.size() < count) {
    auto message = client.next();
    if (!message) break;
    if (message->has_heartbeat() || message->has_snapshot_end()) continue;
    ++messages;
    if (message->has_event()) {
      out.push_back({message->event().sequence(), message->resume_token()});
      continue;
    }
    EXPECT_TRUE(message->has_batch()) << message->DebugString();
    ++batches;
    EXPECT_GE(message->batch().events_size(), 2) << "a batch of one is an event message";
    for (const auto& entry : message->batch().events()) {
      out.push_back({entry.event().sequence(), entry.resume_token()});
    }
    // The message's own token is the last event's: resuming there loses nothing.
    EXPECT_EQ(message->resume_token(), out.back().token);
  }
  return out;
}

pb::SubscribeRequest batched(const std::string& id, std::uint32_t maxBatch,
                             const std::string& resumeToken = {}) {
  auto r = request(id, resumeToken);
  r.set_max_batch(maxBatch);
  return r;
}

TEST_F(SubscribeTest, AStreamThatFellBehindCatchesUpInBatchesWithEveryEventOnceInOrder) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, batched("r1", 16), /*startReading=*/false);
  ASSERT_TRUE(eventually([&] { return hub_->subscriberCount() == 1; }));  // live from here
  for (int i = 0; i < 100; ++i) ingest(rgEvent("a", std::to_string(i), kPadding));
  client.startReading();
  std::size_t messages = 0;
  std::size_t batches = 0;
  const auto events = readEvents(client, 100, messages, batches);
  ASSERT_EQ(events.size(), 100u);
  for (std::uint64_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, i + 1);
    EXPECT_EQ(events[i].token, token(i + 1));
  }
  EXPECT_GT(batches, 0u);
  EXPECT_LT(messages, 100u);
  EXPECT_GE(messages, 100u / 16);  // never more than max_batch in one message
}

TEST_F(SubscribeTest, ATokenFromInsideABatchResumesRightAfterItsEvent) {
  startServer();
  registerTypes("r1", {rgType("a")});
  std::string middle;
  {
    StreamClient client(*stub_, batched("r1", 64), /*startReading=*/false);
    ASSERT_TRUE(eventually([&] { return hub_->subscriberCount() == 1; }));  // live from here
    for (int i = 0; i < 100; ++i) ingest(rgEvent("a", std::to_string(i), kPadding));
    client.startReading();
    std::size_t messages = 0;
    std::size_t batches = 0;
    const auto events = readEvents(client, 100, messages, batches);
    ASSERT_EQ(events.size(), 100u);
    ASSERT_GT(batches, 0u);
    middle = events[41].token;  // processed 42 events, then lost the stream
  }
  StreamClient resumed(*stub_, request("r1", middle));
  EXPECT_EQ(readLive(resumed, 58), range(43, 100));
}

TEST_F(SubscribeTest, AStreamThatKeepsUpGetsEachEventAloneEvenWithMaxBatch) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, batched("r1", 64));
  readSnapshot(client);
  for (int i = 0; i < 5; ++i) {
    const auto sequence = ingest(rgEvent("a", std::to_string(i)));
    auto message = client.next();
    ASSERT_TRUE(message);
    ASSERT_TRUE(message->has_event()) << message->DebugString();
    EXPECT_EQ(message->event().sequence(), sequence);
  }
}

TEST_F(SubscribeTest, WithoutMaxBatchAStreamThatFellBehindGetsOneEventPerMessage) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, batched("r1", 1), /*startReading=*/false);
  ASSERT_TRUE(eventually([&] { return hub_->subscriberCount() == 1; }));  // live from here
  for (int i = 0; i < 30; ++i) ingest(rgEvent("a", std::to_string(i), kPadding));
  client.startReading();
  std::size_t messages = 0;
  std::size_t batches = 0;
  EXPECT_EQ(readEvents(client, 30, messages, batches).size(), 30u);
  EXPECT_EQ(batches, 0u);
  EXPECT_EQ(messages, 30u);
}

TEST_F(SubscribeTest, MaxBatchAboveTheLimitIsInvalidArgument) {
  startServer();
  registerTypes("r1", {rgType("a")});
  StreamClient client(*stub_, batched("r1", static_cast<std::uint32_t>(kMaxBatchEvents) + 1));
  const auto status = client.status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(errorInfo(*status).reason(), "INVALID_SUBSCRIBE_REQUEST");
  EXPECT_NE(status->error_message().find("max_batch must be at most 1024"), std::string::npos)
      << status->error_message();
}

}  // namespace
}  // namespace gateway::subscribe_test
