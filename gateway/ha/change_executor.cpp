#include "change_executor.hpp"

#include "crnp/gateway/replication/v1/forwarding.pb.h"
#include "crnp/structured_log.hpp"
#include "status_mapping.hpp"
#include "unix_nanos.hpp"

namespace gateway::ha {
namespace {

namespace pb = crnp::gateway::v1;
namespace rpb = crnp::gateway::replication::v1;
constexpr std::string_view kLog = "ha";

rpb::ForwardedAnswer answerOf(const grpc::Status& status) {
  rpb::ForwardedAnswer answer;
  answer.set_code(static_cast<int>(status.error_code()));
  answer.set_message(status.error_message());
  answer.set_details(status.error_details());
  return answer;
}

}  // namespace

ChangeExecutor::ChangeExecutor(etcd::EtcdClientPtr client, ReplicationKeys keys,
                               RegistrationChanges& local)
    : client_(std::move(client)), keys_(std::move(keys)), local_(local) {}

ChangeExecutor::~ChangeExecutor() { stop(); }

void ChangeExecutor::start() {
  etcd::EtcdWatchHandlers handlers;
  handlers.onEvents = [this](etcd::EtcdWatchBatch batch) {
    for (const auto& event : batch.events) {
      if (event.type() == mvccpb::Event::PUT) execute(event.kv());
    }
  };
  handlers.onCompacted = [this](std::int64_t) -> std::optional<std::int64_t> {
    // What the history no longer shows is still under the prefix: read it as a new leader.
    auto pending = client_->range({keys_.changes, true});
    if (!pending) return 0;
    for (const auto& kv : pending.value().kvs()) execute(kv);
    return pending.value().header().revision() + 1;
  };
  handlers.onError = [](const etcd::EtcdError& error) {
    crnp::slog::warn(kLog, "etcd watch of forwarded changes interrupted; resuming",
                     {{"error", error.message}});
  };
  watch_ = std::make_unique<etcd::EtcdWatch>(client_, keys_.changes, 0, std::move(handlers));
}

void ChangeExecutor::stop() {
  watch_.reset();
  follow();
  writer_.stop();
}

void ChangeExecutor::lead() {
  {
    std::lock_guard lock(mutex_);
    leading_ = true;
    ++term_;
  }
  auto pending = client_->range({keys_.changes, true});
  if (!pending) {
    crnp::slog::warn(kLog,
                     "cannot read the changes waiting for a leader; the watch brings new ones",
                     {{"error", pending.error().message}});
    return;
  }
  for (const auto& kv : pending.value().kvs()) execute(kv);
}

void ChangeExecutor::follow() {
  std::lock_guard lock(mutex_);
  leading_ = false;
}

void ChangeExecutor::execute(const mvccpb::KeyValue& change) {
  const std::string key = change.key();
  std::uint64_t term = 0;
  {
    std::lock_guard lock(mutex_);
    if (!leading_ || !inFlight_.insert(key).second) return;
    term = term_;
  }
  const std::int64_t lease = change.lease();
  rpb::ForwardedChange request;
  if (!request.ParseFromString(change.value())) {
    crnp::slog::error(kLog, "ignoring a forwarded change that cannot be read", {{"key", key}});
    return answer(
        key, lease,
        answerOf(makeErrorStatus(grpc::StatusCode::INTERNAL, "the forwarded change cannot be read",
                                 "BAD_FORWARDED_CHANGE"))
            .SerializeAsString());
  }
  ChangeCaller caller;
  if (request.deadline_unix_nanos() != 0)
    caller.deadline = fromUnixNanos(request.deadline_unix_nanos());
  // A change refused because this replica stopped leading meanwhile stays for the next leader.
  const auto finish = [this, key, lease, term](const grpc::Status& status,
                                               rpb::ForwardedAnswer reply) {
    {
      std::lock_guard lock(mutex_);
      const bool termOver = !leading_ || term_ != term;
      if (termOver && status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        inFlight_.erase(key);
        return;
      }
    }
    answer(key, lease, reply.SerializeAsString());
  };
  if (request.has_register_request()) {
    local_.registerAsync(
        request.register_request(),
        [finish](grpc::Status status, pb::Registration registration) {
          auto reply = answerOf(status);
          if (status.ok()) *reply.mutable_registration() = std::move(registration);
          finish(status, std::move(reply));
        },
        caller);
  } else if (request.has_unregister_request()) {
    local_.unregisterAsync(
        request.unregister_request(),
        [finish](grpc::Status status, pb::UnregisterResponse response) {
          auto reply = answerOf(status);
          if (status.ok()) *reply.mutable_unregister_response() = std::move(response);
          finish(status, std::move(reply));
        },
        caller);
  } else {
    answer(key, lease,
           answerOf(makeErrorStatus(grpc::StatusCode::INTERNAL, "the forwarded change is empty",
                                    "BAD_FORWARDED_CHANGE"))
               .SerializeAsString());
  }
}

void ChangeExecutor::answer(const std::string& changeKey, std::int64_t lease,
                            const std::string& value) {
  writer_.post([this, changeKey, lease, value] {
    const std::string answerKey = keys_.answers + changeKey.substr(keys_.changes.size());
    etcdserverpb::TxnRequest txn;
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key(answerKey);
    put->set_value(value);
    put->set_lease(lease);
    txn.add_success()->mutable_request_delete_range()->set_key(changeKey);
    auto written = client_->txn(txn);
    if (!written) {
      // The asking replica's lease is gone (it died): nobody waits; drop the change.
      crnp::slog::warn(kLog, "cannot answer a forwarded change",
                       {{"change", changeKey}, {"error", written.error().message}});
      (void)client_->remove(changeKey);
    }
    std::lock_guard lock(mutex_);
    inFlight_.erase(changeKey);
  });
}

}  // namespace gateway::ha
