#pragma once
// StreamReader: a Subscribe stream of crnp-gateway read on its own thread, so that a test
// waits for the next message with a deadline instead of blocking in Read().
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "crnp/gateway/v1/gateway.grpc.pb.h"

namespace crnp::integration {

using namespace std::chrono_literals;
namespace gw = crnp::gateway::v1;

class StreamReader {
 public:
  StreamReader(gw::CrnpGateway::Stub& stub, const gw::SubscribeRequest& request) {
    reader_ = stub.Subscribe(&context_, request);
    thread_ = std::thread([this] {
      gw::SubscribeResponse response;
      while (reader_->Read(&response)) {
        std::lock_guard lock(mutex_);
        messages_.push_back(response);
        changed_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard lock(mutex_);
      status_ = std::move(status);
      changed_.notify_all();
    });
  }
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;
  ~StreamReader() {
    context_.TryCancel();
    thread_.join();
  }

  /// The next unread message, or nullopt at the deadline or when the stream ended.
  std::optional<gw::SubscribeResponse> next(std::chrono::milliseconds timeout = 15000ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout,
                      [this] { return readIndex_ < messages_.size() || status_.has_value(); });
    if (readIndex_ < messages_.size()) return messages_[readIndex_++];
    return std::nullopt;
  }

  /// Skips heartbeats: the next event, snapshot_end, reset or going_away.
  std::optional<gw::SubscribeResponse> nextNonHeartbeat(
      std::chrono::milliseconds timeout = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      auto message = next(left);
      if (!message || !message->has_heartbeat()) return message;
    }
  }

  /// The stream's final status once it ended; nullopt at the deadline.
  std::optional<grpc::Status> finish(std::chrono::milliseconds timeout = 15000ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return status_.has_value(); });
    return status_;
  }

  std::size_t received() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<gw::SubscribeResponse>> reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<gw::SubscribeResponse> messages_;  // every message; readIndex_ is the cursor
  std::size_t readIndex_ = 0;
  std::optional<grpc::Status> status_;
  std::thread thread_;
};

}  // namespace crnp::integration
