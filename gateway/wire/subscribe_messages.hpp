#pragma once
// Wire forms of the Subscribe stream: every SubscribeResponse the gateway writes, already
// serialized into a grpc::ByteBuffer (the stream's method is raw, see wire_messages.hpp), and
// the error statuses whose google.rpc details carry a resume token.
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "crnp/gateway/v1/gateway.pb.h"
#include "wire_messages.hpp"

namespace gateway {

inline constexpr char kSubscriberTooSlow[] = "SUBSCRIBER_TOO_SLOW";

grpc::ByteBuffer heartbeatMessage(const std::string& resumeToken,
                                  std::chrono::system_clock::time_point now);
grpc::ByteBuffer snapshotEndMessage(const std::string& resumeToken, std::uint32_t eventCount);
grpc::ByteBuffer resetMessage(const std::string& resumeToken, const std::string& reason);
grpc::ByteBuffer goingAwayMessage(const std::string& resumeToken, const std::string& reason);

/// RESOURCE_EXHAUSTED with google.rpc.ErrorInfo{SUBSCRIBER_TOO_SLOW, crnp-gateway,
/// metadata resume_token}: the stream fell behind its queue limits.
grpc::Status subscriberTooSlowStatus(const std::string& resumeToken);

}  // namespace gateway
