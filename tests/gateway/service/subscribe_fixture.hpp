#pragma once
// Fixture of the Subscribe tests: a real grpc::Server on 127.0.0.1:0 whose raw Subscribe method
// forwards to SubscriptionManager (the production GatewayService does the same), driven through
// the generated stub. No sleeps: streams are read with deadlines, conditions polled with one.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "event_hub.hpp"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "loopback_grpc_server.hpp"
#include "subscription_manager.hpp"

namespace gateway::subscribe_test {

using namespace std::chrono_literals;
namespace pb = crnp::gateway::v1;
using Response = pb::SubscribeResponse;

constexpr std::uint64_t kEpoch = 0x00c0ffee00c0ffeeULL;
constexpr auto kWait = 10s;  // generous: only reached when a test is failing

// Test-only service: the raw Subscribe method, as GatewayService wires it in production.
class SubscribeOnlyService final
    : public pb::CrnpGateway::WithRawCallbackMethod_Subscribe<pb::CrnpGateway::Service> {
 public:
  explicit SubscribeOnlyService(SubscriptionManager& manager) : manager_(manager) {}
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override {
    return manager_.subscribe(context, request);
  }

 private:
  SubscriptionManager& manager_;
};

// One Subscribe call read on its own thread (once reading starts) into a queue.
class StreamClient {
 public:
  StreamClient(pb::CrnpGateway::Stub& stub, const pb::SubscribeRequest& request,
               bool startReading = true) {
    context_.set_deadline(std::chrono::system_clock::now() + 60s);
    reader_ = stub.Subscribe(&context_, request);
    if (startReading) this->startReading();
  }
  ~StreamClient() {
    context_.TryCancel();
    startReading();
    thread_.join();
  }

  void startReading() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
      Response message;
      while (reader_->Read(&message)) {
        std::lock_guard lock(mutex_);
        messages_.push_back({message, std::chrono::steady_clock::now()});
        changed_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard lock(mutex_);
      status_ = std::move(status);
      ended_ = true;
      changed_.notify_all();
    });
  }

  /// The next message, or nullopt when the stream ended or nothing came in time.
  std::optional<Response> next(std::chrono::milliseconds timeout = kWait) {
    auto timed = nextTimed(timeout);
    if (!timed) return std::nullopt;
    return timed->first;
  }
  std::optional<std::pair<Response, std::chrono::steady_clock::time_point>> nextTimed(
      std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return !messages_.empty() || ended_; });
    if (messages_.empty()) return std::nullopt;
    auto message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }

  /// The final status, once every message has been taken with next().
  std::optional<grpc::Status> status(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return ended_; });
    if (!ended_ || !messages_.empty()) return std::nullopt;
    return status_;
  }

  void cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Response>> reader_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<Response, std::chrono::steady_clock::time_point>> messages_;
  bool ended_ = false;
  grpc::Status status_;
};

inline crnp::Event rgEvent(const std::string& group, const std::string& state,
                           std::size_t padding = 0) {
  crnp::Event event{
      "1.0",  "EC_Cluster", "ESC_cluster_rg_state",
      "SUNW", "rgm",        {{"rg_name", {group}}, {"node_list", {"n1"}}, {"state_list", {state}}}};
  if (padding > 0) event.nvpairs.push_back({"ev_padding", {std::string(padding, 'x')}});
  return event;
}

inline crnp::Event membershipEvent(const std::string& incarnation) {
  return {"1.0",  "EC_Cluster", "ESC_cluster_membership",
          "SUNW", "rgm",        {{"node_list", {"n1"}}, {"state_list", {incarnation}}}};
}

inline crnp::EventType rgType(const std::string& group) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {group}}}};
}
inline const crnp::EventType kMembership{"EC_Cluster", "ESC_cluster_membership", {}};
inline const crnp::EventType kAllCluster{"EC_Cluster", "", {}};

inline std::string token(std::uint64_t sequence) { return encodeResumeToken({kEpoch, sequence}); }

inline pb::SubscribeRequest request(const std::string& id, const std::string& resumeToken = {}) {
  pb::SubscribeRequest r;
  r.set_registration_id(id);
  r.set_resume_token(resumeToken);
  return r;
}

inline google::rpc::ErrorInfo errorInfo(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo in " << status.error_message();
  return info;
}

class SubscribeTest : public ::testing::Test {
 protected:
  // Separate from SetUp so that each test can shape the limits first.
  void startServer() {
    hubConfig_.epoch = kEpoch;
    hub_ = std::make_unique<EventHub>(hubConfig_, fanoutSignal_);
    manager_ = std::make_unique<SubscriptionManager>(
        *hub_,
        [this](const std::string& id) -> std::optional<std::vector<crnp::EventType>> {
          std::lock_guard lock(registrationsMutex_);
          auto it = registrations_.find(id);
          if (it == registrations_.end()) return std::nullopt;
          return it->second;
        },
        config_);
    service_ = std::make_unique<SubscribeOnlyService>(*manager_);
    auto grpcServer = crnp::testing::startLoopbackGrpcServer({service_.get()});
    server_ = std::move(grpcServer.server);
    target_ = grpcServer.target;
    stub_ = pb::CrnpGateway::NewStub(grpcServer.channel());
  }

  void TearDown() override {
    if (!server_) return;
    manager_->shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + 5s);
    server_->Wait();
    EXPECT_TRUE(manager_->waitUntilIdle(std::chrono::steady_clock::now() + kWait));
    EXPECT_EQ(hub_->subscriberCount(), 0u);
  }

  void registerTypes(const std::string& id, std::vector<crnp::EventType> types) {
    std::lock_guard lock(registrationsMutex_);
    registrations_[id] = std::move(types);
  }

  /// Publishes `event` and returns its sequence; a test event must not repeat the latest
  /// event of its key (the hub would not publish it).
  std::uint64_t ingest(crnp::Event event) {
    const auto stored = hub_->ingest(std::move(event), std::chrono::system_clock::now());
    EXPECT_TRUE(stored) << "a repeat of the latest event of its key is not published";
    return stored ? stored->sequence : 0;
  }

  // Polls `condition` until it holds or the deadline passes.
  template <typename Condition>
  bool eventually(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Reads messages up to and including snapshot_end; returns the snapshot's events.
  std::vector<pb::ClusterEvent> readSnapshot(StreamClient& client, Response* end = nullptr) {
    std::vector<pb::ClusterEvent> events;
    while (auto message = client.next()) {
      if (message->has_snapshot_end()) {
        EXPECT_EQ(message->snapshot_end().event_count(), events.size());
        if (end) *end = *message;
        return events;
      }
      EXPECT_TRUE(message->has_event()) << message->DebugString();
      EXPECT_TRUE(message->event().snapshot());
      events.push_back(message->event());
    }
    ADD_FAILURE() << "no snapshot_end";
    return events;
  }

  // Reads `count` live events; their sequences.
  std::vector<std::uint64_t> readLive(StreamClient& client, std::size_t count,
                                      std::string* lastToken = nullptr) {
    std::vector<std::uint64_t> sequences;
    while (sequences.size() < count) {
      auto message = client.next();
      if (!message) break;
      if (message->has_heartbeat()) continue;
      EXPECT_TRUE(message->has_event()) << message->DebugString();
      EXPECT_FALSE(message->event().snapshot());
      EXPECT_EQ(message->resume_token(), token(message->event().sequence()));
      sequences.push_back(message->event().sequence());
      if (lastToken) *lastToken = message->resume_token();
    }
    return sequences;
  }

  EventHubConfig hubConfig_;
  /// Empty: ingest hands events out itself. A test that drives the fan-out sets a signal and
  /// calls hub_->deliverPending().
  EventHub::FanoutSignal fanoutSignal_;
  SubscriptionConfig config_;
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<SubscriptionManager> manager_;
  std::unique_ptr<SubscribeOnlyService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
  std::unique_ptr<pb::CrnpGateway::Stub> stub_;
  std::mutex registrationsMutex_;
  std::map<std::string, std::vector<crnp::EventType>> registrations_;
};

inline std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (auto s = first; s <= last; ++s) out.push_back(s);
  return out;
}

}  // namespace gateway::subscribe_test
