#include "change_forwarder.hpp"

#include "crnp/structured_log.hpp"
#include "registration_service.hpp"
#include "request_validation.hpp"
#include "status_mapping.hpp"
#include "unix_nanos.hpp"

namespace gateway::ha {
namespace {

namespace rpb = crnp::gateway::replication::v1;
constexpr std::string_view kLog = "ha";

grpc::Status statusOf(const rpb::ForwardedAnswer& answer) {
  return grpc::Status(static_cast<grpc::StatusCode>(answer.code()), answer.message(),
                      answer.details());
}

}  // namespace

ChangeForwarder::ChangeForwarder(etcd::EtcdClientPtr client, ReplicationKeys keys,
                                 std::string replicaName, std::function<std::int64_t()> lease,
                                 boost::asio::any_io_executor timers)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      changePrefix_(keys_.changes + replicaName + "/"),
      answerPrefix_(keys_.answers + replicaName + "/"),
      lease_(std::move(lease)),
      timers_(std::move(timers)) {}

ChangeForwarder::~ChangeForwarder() { stop(); }

void ChangeForwarder::start() {
  etcd::EtcdWatchHandlers handlers;
  handlers.onEvents = [this](etcd::EtcdWatchBatch batch) { onAnswers(batch); };
  // Answers are read once and deleted: a compacted history only loses stale ones.
  handlers.onCompacted = [](std::int64_t revision) -> std::optional<std::int64_t> {
    return revision + 1;
  };
  handlers.onError = [](const etcd::EtcdError& error) {
    crnp::slog::warn(kLog, "etcd watch of forwarded answers interrupted; resuming",
                     {{"error", error.message}});
  };
  // Answers left over from an earlier run of this replica are stale: clear them first.
  (void)client_->remove(answerPrefix_, /*prefix=*/true);
  watch_ = std::make_unique<etcd::EtcdWatch>(client_, answerPrefix_, 0, std::move(handlers));
}

void ChangeForwarder::stop() {
  std::map<std::string, Waiting> waiting;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    waiting.swap(waiting_);
  }
  watch_.reset();
  writer_.stop();
  rpb::ForwardedAnswer none;
  for (auto& [id, entry] : waiting) {
    entry.timer->cancel();
    entry.done(changeRefusedShuttingDown(), none);
  }
}

void ChangeForwarder::forward(rpb::ForwardedChange change,
                              std::chrono::system_clock::time_point deadline, Answered done) {
  const std::string id = generateRegistrationId();  // 128 random bits: unique enough
  const auto now = std::chrono::system_clock::now();
  const auto wait = std::min<std::chrono::system_clock::duration>(
      deadline > now ? deadline - now : std::chrono::system_clock::duration::zero(), kMaxWait);
  if (deadline != std::chrono::system_clock::time_point::max()) {
    change.set_deadline_unix_nanos(toUnixNanos(deadline));
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(timers_);
  {
    std::unique_lock lock(mutex_);
    if (stopped_) {
      lock.unlock();
      rpb::ForwardedAnswer none;
      return done(changeRefusedShuttingDown(), none);
    }
    waiting_.emplace(id, Waiting{std::move(done), timer});
  }
  timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait));
  timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (!ec) expire(id);
  });
  writer_.post([this, id, value = change.SerializeAsString()] {
    auto put = client_->put(changePrefix_ + id, value, lease_());
    if (put) return;
    if (auto waiting = take(id)) {
      waiting->timer->cancel();
      rpb::ForwardedAnswer none;
      waiting->done(makeErrorStatus(grpc::StatusCode::UNAVAILABLE,
                                    "cannot hand the change to the leader: " + put.error().message,
                                    "LEADER_UNREACHABLE"),
                    none);
    }
  });
}

std::optional<ChangeForwarder::Waiting> ChangeForwarder::take(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto found = waiting_.find(id);
  if (found == waiting_.end()) return std::nullopt;
  Waiting waiting = std::move(found->second);
  waiting_.erase(found);
  return waiting;
}

void ChangeForwarder::onAnswers(const etcd::EtcdWatchBatch& batch) {
  for (const auto& event : batch.events) {
    if (event.type() != mvccpb::Event::PUT) continue;
    const std::string id = event.kv().key().substr(answerPrefix_.size());
    writer_.post([this, key = event.kv().key()] { (void)client_->remove(key); });
    auto waiting = take(id);
    if (!waiting) continue;  // expired already
    waiting->timer->cancel();
    rpb::ForwardedAnswer answer;
    if (!answer.ParseFromString(event.kv().value())) {
      waiting->done(makeErrorStatus(grpc::StatusCode::INTERNAL,
                                    "the leader's answer cannot be read", "BAD_FORWARDED_ANSWER"),
                    answer);
      continue;
    }
    waiting->done(statusOf(answer), answer);
  }
}

void ChangeForwarder::expire(const std::string& id) {
  auto waiting = take(id);
  if (!waiting) return;
  // Withdrawn when the leader has not taken it yet; it may still be carried out otherwise.
  writer_.post([this, key = changePrefix_ + id] { (void)client_->remove(key); });
  rpb::ForwardedAnswer none;
  waiting->done(makeErrorStatus(grpc::StatusCode::DEADLINE_EXCEEDED,
                                "the leader did not answer in time (no leader, or a failover is "
                                "under way); the change may still be carried out",
                                "LEADER_DID_NOT_ANSWER"),
                none);
}

}  // namespace gateway::ha
