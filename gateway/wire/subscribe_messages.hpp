#pragma once
// Wire forms of the Subscribe stream: every SubscribeResponse the gateway writes, already
// serialized into a grpc::ByteBuffer (the stream's method is raw, see wire_messages.hpp), and
// the error statuses whose google.rpc details carry a resume token.
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "crnp/gateway/v1/gateway.pb.h"
#include "wire_messages.hpp"

namespace gateway {

inline constexpr char kSubscriberTooSlow[] = "SUBSCRIBER_TOO_SLOW";

grpc::ByteBuffer heartbeatMessage(const std::string& resumeToken,
                                  std::chrono::system_clock::time_point now);
grpc::ByteBuffer snapshotEndMessage(const std::string& resumeToken, std::uint32_t eventCount);
grpc::ByteBuffer resetMessage(const std::string& resumeToken, const std::string& reason);
grpc::ByteBuffer goingAwayMessage(const std::string& resumeToken, const std::string& reason);

/// SubscribeResponse{resume_token, batch{events}} built from event messages already serialized
/// (each a SubscribeResponse{resume_token, event}, which has the wire form of a BatchedEvent):
/// their bytes are copied once, nothing is parsed or serialized again. `resumeToken` is the
/// last event's.
grpc::ByteBuffer batchMessage(const std::string& resumeToken,
                              const std::vector<const grpc::ByteBuffer*>& events);

/// RESOURCE_EXHAUSTED with google.rpc.ErrorInfo{SUBSCRIBER_TOO_SLOW, crnp-gateway,
/// metadata resume_token}: the stream fell behind its queue limits.
grpc::Status subscriberTooSlowStatus(const std::string& resumeToken);

}  // namespace gateway
