#include "etcd_watch.hpp"

#include <algorithm>

#include "etcd_keys.hpp"

namespace gateway::etcd {
namespace {
constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
}  // namespace

EtcdWatch::EtcdWatch(EtcdClientPtr client, std::string prefix, std::int64_t startRevision,
                     EtcdWatchHandlers handlers)
    : client_(std::move(client)),
      prefix_(std::move(prefix)),
      handlers_(std::move(handlers)),
      nextRevision_(startRevision) {
  thread_ = std::thread([this] { run(); });
}

EtcdWatch::~EtcdWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  wake_.notify_all();
  thread_.join();
}

std::int64_t EtcdWatch::nextRevision() const {
  std::lock_guard lock(mutex_);
  return nextRevision_;
}

int EtcdWatch::streamsOpened() const {
  std::lock_guard lock(mutex_);
  return streamsOpened_;
}

bool EtcdWatch::waitUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void EtcdWatch::run() {
  auto backoff = kFirstBackoff;
  for (;;) {
    bool created = false;
    const auto compacted = followOneStream(created);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (compacted) {
      const auto from = handlers_.onCompacted ? handlers_.onCompacted(*compacted) : std::nullopt;
      if (!from) return;
      std::lock_guard lock(mutex_);
      nextRevision_ = *from;
      backoff = kFirstBackoff;
      continue;
    }
    // A stream that worked for a while starts the back-off over; repeated failures double it.
    if (created) backoff = kFirstBackoff;
    if (!waitUnlessStopping(backoff)) return;
    if (!created) backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

std::optional<std::int64_t> EtcdWatch::followOneStream(bool& created) {
  grpc::ClientContext context;
  if (auto error = client_->prepare(context, std::nullopt)) {
    if (handlers_.onError) handlers_.onError(*error);
    return std::nullopt;
  }
  // etcd cancels the stream when its member loses the leader (clientv3.WithRequireLeader),
  // instead of leaving it silent; the watch then moves to another member.
  context.AddMetadata("hasleader", "true");
  std::int64_t from;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    current_ = &context;
    from = nextRevision_;
    ++streamsOpened_;
  }
  auto stream = client_->watchStub().Watch(&context);
  etcdserverpb::WatchRequest request;
  auto& create = *request.mutable_create_request();
  create.set_key(prefix_);
  create.set_range_end(prefixRangeEnd(prefix_));
  create.set_start_revision(from);

  std::optional<std::int64_t> compacted;
  std::string cancelReason;
  etcdserverpb::WatchResponse response;
  if (stream->Write(request)) {
    while (stream->Read(&response)) {
      if (response.compact_revision() > 0) {
        compacted = response.compact_revision();
        break;
      }
      if (response.canceled()) {
        cancelReason =
            response.cancel_reason().empty() ? "watch cancelled by etcd" : response.cancel_reason();
        break;
      }
      if (response.created()) created = true;
      if (response.events().empty()) continue;  // created, or a progress notification
      EtcdWatchBatch batch;
      batch.headerRevision = response.header().revision();
      batch.events.assign(response.events().begin(), response.events().end());
      const auto last = batch.events.back().kv().mod_revision();
      if (handlers_.onEvents) handlers_.onEvents(std::move(batch));
      std::lock_guard lock(mutex_);
      nextRevision_ = last + 1;
    }
  }
  context.TryCancel();
  const auto status = stream->Finish();
  {
    std::lock_guard lock(mutex_);
    current_ = nullptr;
    if (stopping_) return std::nullopt;
  }
  if (compacted) return compacted;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) client_->reconnect();
  client_->forgetTokenIfRejected(status);
  if (handlers_.onError) {
    if (!cancelReason.empty()) {
      client_->forgetTokenIfRejected(grpc::Status(grpc::StatusCode::UNKNOWN, cancelReason));
      handlers_.onError(
          {grpc::StatusCode::ABORTED,
           "etcd watch " + prefix_ + " (" + client_->endpointList() + "): " + cancelReason});
    } else {
      handlers_.onError(client_->describe("watch " + prefix_, status, &context));
    }
  }
  return std::nullopt;
}

}  // namespace gateway::etcd
