#include "wire_messages.hpp"

#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/slice.h>

#include <cstdint>
#include <string>

#include "status_mapping.hpp"

namespace gateway {

grpc::ByteBuffer serializeToByteBuffer(const google::protobuf::MessageLite& message) {
  const std::size_t size = message.ByteSizeLong();
  grpc::Slice slice(size);
  // The slice is freshly allocated and not shared yet: writing into it is fine.
  message.SerializeWithCachedSizesToArray(const_cast<std::uint8_t*>(slice.begin()));
  return grpc::ByteBuffer(&slice, 1);
}

grpc::Status parseRequest(const grpc::ByteBuffer* bytes, google::protobuf::MessageLite& out) {
  out.Clear();
  bool parsed = false;
  if (bytes != nullptr) {
    grpc::ByteBuffer copy(*bytes);  // the reader consumes its buffer; copies share slices
    grpc::ProtoBufferReader reader(&copy);
    parsed = reader.status().ok() && out.ParseFromZeroCopyStream(&reader);
  }
  if (parsed) return grpc::Status::OK;
  const std::string type = out.GetTypeName();
  return makeErrorStatus(grpc::StatusCode::INVALID_ARGUMENT,
                         "request is not a " + type +
                             " (bytes that do not parse, or a string field that is not UTF-8)",
                         kMalformedRequest, {{"message_type", type}});
}

}  // namespace gateway
