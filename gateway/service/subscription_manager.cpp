#include "subscription_manager.hpp"

#include <grpcpp/support/server_callback.h>
#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cassert>

#include "crnp/structured_log.hpp"
#include "request_validation.hpp"
#include "status_mapping.hpp"
#include "subscribe_messages.hpp"

namespace gateway {
namespace {

constexpr std::string_view kLogComponent = "stream";

constexpr auto kMaxHeartbeat = std::chrono::hours(24);

// The reactor of a call refused before it started: finishes at once.
class RejectedStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  RejectedStream(StreamCallObserver& observer, grpc::Status status) {
    observer.handled(status.error_code());
    Finish(std::move(status));
  }
  void OnDone() override { delete this; }
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* reject(StreamCallObserver& observer,
                                                   grpc::Status status) {
  return new RejectedStream(observer, std::move(status));
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* reject(StreamCallObserver& observer,
                                                   grpc::StatusCode code,
                                                   const std::string& message,
                                                   const std::string& reason) {
  return reject(observer, makeErrorStatus(code, message, reason));
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* invalid(StreamCallObserver& observer,
                                                    const std::string& message) {
  return reject(observer, grpc::StatusCode::INVALID_ARGUMENT, message, "INVALID_SUBSCRIBE_REQUEST");
}

// nullopt unless the Duration is a valid one between 0 and 24 h (negative, mixed signs,
// nanos out of range and huge values are all just "bad").
std::optional<std::chrono::milliseconds> toMilliseconds(const google::protobuf::Duration& d) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() >= 1'000'000'000) return std::nullopt;
  if (d.seconds() > std::chrono::duration_cast<std::chrono::seconds>(kMaxHeartbeat).count()) {
    return std::nullopt;
  }
  return std::chrono::seconds(d.seconds()) + std::chrono::milliseconds(d.nanos() / 1'000'000);
}

}  // namespace

SubscriptionManager::SubscriptionManager(EventHub& hub, RegistrationLookup lookup,
                                         SubscriptionConfig config, RegistrationLimits limits,
                                         StreamCallObserver& observer)
    : hub_(hub),
      lookup_(std::move(lookup)),
      config_(config),
      limits_(limits),
      observer_(observer),
      random_(std::random_device{}()) {}

SubscriptionManager::~SubscriptionManager() {
  std::lock_guard lock(mutex_);
  assert(streams_.empty() && "SubscriptionManager destroyed with live streams");
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscriptionManager::subscribe(
    grpc::CallbackServerContext* /*context*/, const grpc::ByteBuffer* request) {
  observer_.started();
  crnp::gateway::v1::SubscribeRequest parsed;
  if (auto status = parseRequest(request, parsed); !status.ok())
    return reject(observer_, std::move(status));
  // Checked before anything is looked up or quoted, like every other RPC's id.
  if (auto status = validateRegistrationId(parsed.registration_id(), limits_); !status.ok()) {
    return reject(observer_, std::move(status));
  }

  StreamSettings settings;
  settings.registrationId = parsed.registration_id();
  settings.heartbeat = config_.defaultHeartbeat;
  settings.maxQueueEvents = config_.maxQueueEvents;
  settings.maxQueueBytes = config_.maxQueueBytes;
  if (parsed.has_heartbeat_interval()) {
    const auto interval = toMilliseconds(parsed.heartbeat_interval());
    if (!interval || *interval < config_.minHeartbeat || *interval > kMaxHeartbeat) {
      return invalid(observer_, fmt::format("heartbeat_interval must be between {} ms and 24 h",
                                            config_.minHeartbeat.count()));
    }
    settings.heartbeat = *interval;
  }
  if (parsed.max_batch() > kMaxBatchEvents) {
    return invalid(observer_, fmt::format("max_batch must be at most {} (0 or 1: no batches)",
                                          kMaxBatchEvents));
  }
  settings.maxBatch = std::max<std::size_t>(parsed.max_batch(), 1);
  std::optional<ResumeToken> resume;
  if (!parsed.resume_token().empty()) {
    resume = decodeResumeToken(parsed.resume_token());
    if (!resume) {
      return invalid(observer_, "resume_token \"" + crnp::echoBounded(parsed.resume_token()) +
                                    "\" is not a token of this gateway");
    }
  }

  SubscribeReactor* stream = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (shuttingDown_) {
      return reject(observer_, grpc::StatusCode::UNAVAILABLE,
                    "gateway is shutting down; try another one", "SHUTTING_DOWN");
    }
    if (config_.maxStreams > 0 && streams_.size() >= config_.maxStreams) {
      return reject(observer_, grpc::StatusCode::RESOURCE_EXHAUSTED,
                    fmt::format("too many Subscribe streams (limit {})", config_.maxStreams),
                    "TOO_MANY_STREAMS");
    }
    settings.maxAge = drawMaxAgeLocked();
    stream = new SubscribeReactor(hub_, *this, timers_, std::move(settings));
    // Registered before the lookup, so a change in between reaches it (and wins).
    positions_.emplace(stream, streams_.emplace(stream->registrationId(), stream));
  }
  // gRPC runs no reaction (hence no OnDone) before this handler returns the reactor, so the
  // stream is safe to use here without the lock.
  auto types = lookup_(stream->registrationId());
  if (!types) {
    stream->finish(registrationNotFound(stream->registrationId()));
    return stream;
  }
  crnp::slog::debug(kLogComponent, "stream started",
                    {{"registration", stream->registrationId()}, {"resume", resume.has_value()}});
  stream->start(std::move(*types), resume);
  return stream;
}

void SubscriptionManager::registrationChanged(
    const std::string& id, const std::optional<std::vector<crnp::EventType>>& types) {
  std::lock_guard lock(mutex_);
  auto [first, last] = streams_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    if (types) {
      it->second->updateTypes(*types);
    } else {
      crnp::slog::info(kLogComponent, "stream ended: registration removed", {{"registration", id}});
      it->second->finish(registrationNotFound(id, "was removed"));
    }
  }
}

void SubscriptionManager::shutdown() {
  std::lock_guard lock(mutex_);
  if (shuttingDown_) return;
  shuttingDown_ = true;
  crnp::slog::info(kLogComponent, "shutting down streams", {{"streams", streams_.size()}});
  for (auto& [id, stream] : streams_) {
    stream->goAway(
        "gateway shutting down; subscribe again (to another instance) with the "
        "resume token");
  }
}

bool SubscriptionManager::waitUntilIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [this] { return streams_.empty(); });
}

std::size_t SubscriptionManager::activeStreams() const {
  std::lock_guard lock(mutex_);
  return streams_.size();
}

SubscriptionManager::Stats SubscriptionManager::stats() const {
  Stats out;
  out.snapshots = counters_.snapshots.load(std::memory_order_relaxed);
  out.resumes = counters_.resumes.load(std::memory_order_relaxed);
  out.resets = counters_.resets.load(std::memory_order_relaxed);
  out.tooSlow = counters_.tooSlow.load(std::memory_order_relaxed);
  out.delivery = counters_.delivery.snapshot();
  std::lock_guard lock(mutex_);  // then each stream's lock: the documented order
  out.streams = streams_.size();
  for (const auto& [id, stream] : streams_) {
    const std::size_t queued = stream->queuedEvents();
    out.queuedEvents += queued;
    out.maxQueuedEvents = std::max(out.maxQueuedEvents, queued);
  }
  return out;
}

void SubscriptionManager::streamDone(SubscribeReactor* stream) {
  std::lock_guard lock(mutex_);
  if (const auto found = positions_.find(stream); found != positions_.end()) {
    streams_.erase(found->second);
    positions_.erase(found);
  }
  if (streams_.empty()) idle_.notify_all();
}

std::chrono::milliseconds SubscriptionManager::drawMaxAgeLocked() {
  if (config_.maxStreamAge.count() <= 0) return std::chrono::milliseconds(0);
  const double jitter = std::clamp(config_.maxStreamAgeJitter, 0.0, 1.0);
  std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
  const auto age = std::chrono::milliseconds(static_cast<std::int64_t>(
      static_cast<double>(config_.maxStreamAge.count()) * factor(random_)));
  return std::max(age, std::chrono::milliseconds(1));
}

}  // namespace gateway
