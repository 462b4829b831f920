#pragma once
// The gateway's methods are raw (grpc::ByteBuffer in and out), so that a request that does not
// parse gets an answer of ours (INVALID_ARGUMENT, MALFORMED_REQUEST) instead of gRPC's bare
// UNIMPLEMENTED. The two conversions every method uses, in one place.
#include <google/protobuf/message_lite.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

namespace gateway {

/// ErrorInfo.reason of a request that is not a protobuf of the method's request type.
inline constexpr char kMalformedRequest[] = "MALFORMED_REQUEST";

/// One contiguous slice holding `message`; copies of the buffer share it.
grpc::ByteBuffer serializeToByteBuffer(const google::protobuf::MessageLite& message);

/// Parses `bytes` (not consumed) into `out`. OK, or INVALID_ARGUMENT with ErrorInfo
/// {MALFORMED_REQUEST, metadata message_type} when they are not a serialized message of out's
/// type: truncated or random bytes, and proto3 string fields that are not UTF-8 (protobuf
/// rejects those while parsing). Unknown fields are kept, not refused.
grpc::Status parseRequest(const grpc::ByteBuffer* bytes, google::protobuf::MessageLite& out);

}  // namespace gateway
