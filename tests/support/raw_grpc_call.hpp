#pragma once
// One call of any method with request bytes chosen by the test (grpc::GenericStub: no
// serialization on the client side), for requests no generated stub can send: random or
// truncated protobuf, strings that are not UTF-8. For calls that end by themselves (unary
// methods, and streams the server refuses); a stream that stays open is read until `timeout`.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace crnp::testing {

struct RawCallResult {
  grpc::Status status;
  std::vector<grpc::ByteBuffer> responses;
};

/// `method` is the full path, e.g. "/crnp.gateway.v1.CrnpGateway/Register"; `metadata` is sent
/// with the call (e.g. {"authorization", "Bearer ..."}).
inline RawCallResult callWithRawBytes(
    grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
    std::chrono::milliseconds timeout = std::chrono::seconds(10),
    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  RawCallResult result;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(&context, method, &queue);
  void* tag = nullptr;
  bool ok = false;
  // Steps run one at a time, so each Next returns the step just started.
  auto step = [&] { return queue.Next(&tag, &ok) && ok; };
  call->StartCall(reinterpret_cast<void*>(1));
  step();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  step();  // may fail when the server already finished the call: its status tells why
  for (;;) {
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(3));
    if (!step()) break;
    result.responses.push_back(std::move(response));
  }
  call->Finish(&result.status, reinterpret_cast<void*>(4));
  step();
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return result;
}

}  // namespace crnp::testing
