#include "subscribe_messages.hpp"

#include "proto_conversion.hpp"
#include "status_mapping.hpp"

namespace gateway {
namespace {

pb::SubscribeResponse withToken(const std::string& resumeToken) {
  pb::SubscribeResponse response;
  response.set_resume_token(resumeToken);
  return response;
}

}  // namespace

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
