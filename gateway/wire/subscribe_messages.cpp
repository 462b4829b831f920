#include "subscribe_messages.hpp"

#include <grpc/slice.h>

#include <cstring>

#include "proto_conversion.hpp"
#include "status_mapping.hpp"

namespace gateway {
namespace {

pb::SubscribeResponse withToken(const std::string& resumeToken) {
  pb::SubscribeResponse response;
  response.set_resume_token(resumeToken);
  return response;
}

// Protobuf wire format: a length-delimited field is its tag, the length as a varint, the bytes.
constexpr std::uint8_t kResumeTokenTag = (1 << 3) | 2;  // SubscribeResponse.resume_token
constexpr std::uint8_t kBatchTag = (7 << 3) | 2;        // SubscribeResponse.batch
constexpr std::uint8_t kBatchEventTag = (1 << 3) | 2;   // EventBatch.events

std::size_t varintSize(std::size_t value) {
  std::size_t size = 1;
  for (; value >= 0x80; value >>= 7) ++size;
  return size;
}

std::uint8_t* putVarint(std::uint8_t* out, std::size_t value) {
  for (; value >= 0x80; value >>= 7) *out++ = static_cast<std::uint8_t>(value | 0x80);
  *out++ = static_cast<std::uint8_t>(value);
  return out;
}

std::uint8_t* putField(std::uint8_t* out, std::uint8_t tag, std::size_t length) {
  *out++ = tag;
  return putVarint(out, length);
}

std::size_t fieldSize(std::size_t length) { return 1 + varintSize(length) + length; }

}  // namespace

grpc::ByteBuffer batchMessage(const std::string& resumeToken,
                              const std::vector<const grpc::ByteBuffer*>& events) {
  std::size_t inner = 0;
  for (const grpc::ByteBuffer* event : events) inner += fieldSize(event->Length());
  const std::size_t total = fieldSize(resumeToken.size()) + fieldSize(inner);

  grpc_slice slice = grpc_slice_malloc(total);
  std::uint8_t* out = GRPC_SLICE_START_PTR(slice);
  out = putField(out, kResumeTokenTag, resumeToken.size());
  std::memcpy(out, resumeToken.data(), resumeToken.size());
  out += resumeToken.size();
  out = putField(out, kBatchTag, inner);
  std::vector<grpc::Slice> pieces;
  for (const grpc::ByteBuffer* event : events) {
    out = putField(out, kBatchEventTag, event->Length());
    pieces.clear();
    (void)event->Dump(&pieces);  // references to its slices, not copies
    for (const grpc::Slice& piece : pieces) {
      std::memcpy(out, piece.begin(), piece.size());
      out += piece.size();
    }
  }
  grpc::Slice owned(slice, grpc::Slice::STEAL_REF);
  return grpc::ByteBuffer(&owned, 1);
}

grpc::ByteBuffer heartbeatMessage(const std::string& resumeToken,
                                  std::chrono::system_clock::time_point now) {
  pb::SubscribeResponse response = withToken(resumeToken);
  toProto(now, response.mutable_heartbeat()->mutable_time());
  return serializeToByteBuffer(response);
}

grpc::ByteBuffer snapshotEndMessage(const std::string& resumeToken, std::uint32_t eventCount) {
  pb::SubscribeResponse response = withToken(resumeToken);
  response.mutable_snapshot_end()->set_event_count(eventCount);
  return serializeToByteBuffer(response);
}

grpc::ByteBuffer resetMessage(const std::string& resumeToken, const std::string& reason) {
  pb::SubscribeResponse response = withToken(resumeToken);
  response.mutable_reset()->set_reason(reason);
  return serializeToByteBuffer(response);
}

grpc::ByteBuffer goingAwayMessage(const std::string& resumeToken, const std::string& reason) {
  pb::SubscribeResponse response = withToken(resumeToken);
  response.mutable_going_away()->set_reason(reason);
  return serializeToByteBuffer(response);
}

grpc::Status subscriberTooSlowStatus(const std::string& resumeToken) {
  return makeErrorStatus(grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "subscriber too slow: its event queue overflowed; subscribe again with "
                         "resume_token \"" +
                             resumeToken + "\" (ErrorInfo metadata) to continue without loss",
                         kSubscriberTooSlow, {{"resume_token", resumeToken}});
}

}  // namespace gateway
