#include "etcd_leader_observer.hpp"

#include <algorithm>

namespace gateway::etcd {
namespace {
constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
}  // namespace

EtcdLeaderObserver::EtcdLeaderObserver(EtcdClientPtr client, std::string name, OnLeader onLeader,
                                       OnError onError)
    : client_(std::move(client)),
      name_(std::move(name)),
      onLeader_(std::move(onLeader)),
      onError_(std::move(onError)) {
  thread_ = std::thread([this] { run(); });
}

EtcdLeaderObserver::~EtcdLeaderObserver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  wake_.notify_all();
  thread_.join();
}

void EtcdLeaderObserver::run() {
  auto backoff = kFirstBackoff;
  for (;;) {
    const bool answered = observeOnce();
    std::unique_lock lock(mutex_);
    if (answered) backoff = kFirstBackoff;
    if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    if (!answered) backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

bool EtcdLeaderObserver::observeOnce() {
  grpc::ClientContext context;
  if (auto error = client_->prepare(context, std::nullopt)) {
    if (onError_) onError_(*error);
    return false;
  }
  context.AddMetadata("hasleader", "true");
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    current_ = &context;
  }
  v3electionpb::LeaderRequest request;
  request.set_name(name_);
  auto stream = client_->electionStub().Observe(&context, request);
  bool answered = false;
  v3electionpb::LeaderResponse response;
  while (stream->Read(&response)) {
    answered = true;
    if (onLeader_) onLeader_(response.kv());
  }
  const auto status = stream->Finish();
  {
    std::lock_guard lock(mutex_);
    current_ = nullptr;
    if (stopping_) return answered;
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) client_->reconnect();
  client_->forgetTokenIfRejected(status);
  if (onError_) onError_(client_->describe("observe " + name_, status, &context));
  return answered;
}

}  // namespace gateway::etcd
