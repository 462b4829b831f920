#include "subscribe_stream.hpp"

#include <chrono>
#include <string_view>
#include <utility>

namespace bench {
namespace {

constexpr std::string_view kEmissionPair = "ev_emit_time_ns";

std::int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t emissionNs(const pb::ClusterEvent& event) {
  for (const auto& pair : event.nvpairs()) {
    if (pair.name() == kEmissionPair && pair.values_size() == 1) {
      return std::stoll(pair.values(0));
    }
  }
  return 0;
}

}  // namespace

SubscribeStream::SubscribeStream(StreamBoard& board, const std::string& registrationId,
                                 std::uint32_t maxBatch)
    : board_(board) {
  request_.set_registration_id(registrationId);
  request_.set_max_batch(maxBatch);
}

void SubscribeStream::start(pb::CrnpGateway::Stub& stub) {
  stub.async()->Subscribe(&context_, &request_, this);
  StartRead(&response_);
  StartCall();
}

StreamSamples SubscribeStream::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(samples_, StreamSamples{});
}

void SubscribeStream::OnReadDone(bool ok) {
  if (!ok) return;  // the stream ended: OnDone follows with the status
  const auto nowNs = wallNs();
  switch (response_.kind_case()) {
    case pb::SubscribeResponse::kSnapshotEnd:
      if (!sawSnapshotEnd_) {
        sawSnapshotEnd_ = true;
        board_.lastReadyNs.store(nowNs);  // streams finish in any order; the driver takes max
        board_.snapshotEvents.store(response_.snapshot_end().event_count());
        board_.ready.fetch_add(1);
      }
      break;
    case pb::SubscribeResponse::kEvent:
    case pb::SubscribeResponse::kBatch:
      board_.lastEventNs.store(nowNs, std::memory_order_relaxed);
      onMessage(nowNs);
      break;
    default:
      break;
  }
  StartRead(&response_);
}

void SubscribeStream::onMessage(std::int64_t nowNs) {
  const bool live = sawSnapshotEnd_;
  if (!live) return;  // snapshot events are the stream's set-up, not deliveries
  const auto armed = board_.stormEvents.load();
  if (armed != stormArmed_) {
    stormArmed_ = armed;
    stormCount_ = 0;
  }
  const bool recording = board_.recording.load() || armed != 0;
  std::lock_guard lock(mutex_);
  if (recording) {
    ++samples_.messages;
    samples_.bytes += response_.ByteSizeLong();
  }
  if (response_.kind_case() == pb::SubscribeResponse::kEvent) {
    if (recording) countEvent(response_.event(), nowNs);
  } else {
    for (const auto& batched : response_.batch().events()) {
      if (recording) countEvent(batched.event(), nowNs);
    }
  }
}

void SubscribeStream::countEvent(const pb::ClusterEvent& event, std::int64_t nowNs) {
  ++samples_.events;
  samples_.lastArrivalNs = nowNs;
  const auto& received = event.received_time();
  const std::int64_t receivedNs = received.seconds() * 1'000'000'000LL + received.nanos();
  samples_.fromReceivedUs.push_back((nowNs - receivedNs) / 1000);
  if (const auto emitted = emissionNs(event); emitted != 0) {
    samples_.fromEmissionUs.push_back((nowNs - emitted) / 1000);
    if (samples_.firstEmissionNs == 0 || emitted < samples_.firstEmissionNs) {
      samples_.firstEmissionNs = emitted;
    }
  }
  if (stormArmed_ != 0 && ++stormCount_ == stormArmed_) board_.stormDone.fetch_add(1);
}

void SubscribeStream::OnDone(const grpc::Status& status) {
  if (!cancelled_) {
    board_.failed.fetch_add(1);
    std::lock_guard lock(board_.errorMutex);
    if (board_.firstError.empty()) {
      board_.firstError = std::to_string(status.error_code()) + " " + status.error_message();
    }
  }
  board_.done.fetch_add(1);
}

}  // namespace bench
