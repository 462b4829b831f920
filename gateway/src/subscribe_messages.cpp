#include "subscribe_messages.hpp"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/slice.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "proto_conversion.hpp"

namespace gateway {
namespace {

pb::SubscribeResponse withToken(const std::string& resumeToken) {
  pb::SubscribeResponse response;
  response.set_resume_token(resumeToken);
  return response;
}

grpc::Status statusWithInfo(grpc::StatusCode code, const std::string& message,
                            const google::rpc::ErrorInfo& info) {
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace

grpc::ByteBuffer serializeToByteBuffer(const google::protobuf::MessageLite& message) {
  const std::size_t size = message.ByteSizeLong();
  grpc::Slice slice(size);
  // The slice is freshly allocated and not shared yet: writing into it is fine.
  message.SerializeWithCachedSizesToArray(const_cast<std::uint8_t*>(slice.begin()));
  return grpc::ByteBuffer(&slice, 1);
}

std::optional<pb::SubscribeRequest> parseSubscribeRequest(const grpc::ByteBuffer& bytes) {
  grpc::ByteBuffer copy(bytes);  // Deserialize consumes its buffer; copies share slices
  pb::SubscribeRequest request;
  if (!grpc::SerializationTraits<pb::SubscribeRequest>::Deserialize(&copy, &request).ok()) {
    return std::nullopt;
  }
  return request;
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
  google::rpc::ErrorInfo info;
  info.set_reason(kSubscriberTooSlow);
  info.set_domain(std::string(kErrorDomain));
  (*info.mutable_metadata())["resume_token"] = resumeToken;
  return statusWithInfo(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "subscriber too slow: its event queue overflowed; subscribe again with "
                        "resume_token \"" +
                            resumeToken + "\" (ErrorInfo metadata) to continue without loss",
                        info);
}

grpc::Status errorStatus(grpc::StatusCode code, const std::string& message,
                         const std::string& reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(std::string(kErrorDomain));
  return statusWithInfo(code, message, info);
}

}  // namespace gateway
