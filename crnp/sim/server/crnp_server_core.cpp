#include "crnp_server_core.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <filesystem>

#include "crnp/codec.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/matching.hpp"

namespace crnp::sim {
namespace {

using Endpoint = boost::asio::ip::tcp::endpoint;

Reply makeReply(StatusCode code, std::string message) {
  Reply reply;
  reply.code = code;
  reply.message = std::move(message);
  return reply;
}

}  // namespace

ServerCore::ServerCore(boost::asio::any_io_executor executor, const ServerConfig& config,
                       std::shared_ptr<FaultInjector> faults,
                       std::shared_ptr<ServerCounters> counters)
    : executor_(std::move(executor)),
      delivery_{config.clientTimeout, config.clientRetryCount, config.clientRetryInterval,
                config.maxQueuedPerClient},
      maxClients_(config.maxClients),
      faults_(std::move(faults)),
      counters_(std::move(counters)),
      store_(config.stateFile),
      registry_(config.maxClients) {}

std::error_code ServerCore::load(std::string* why) {
  if (!store_.enabled()) return {};
  const auto directory = std::filesystem::path(store_.path()).parent_path();
  std::error_code ignored;
  if (!directory.empty() && !std::filesystem::is_directory(directory, ignored)) {
    spdlog::warn(
        "state file directory {} does not exist: registrations will be answered "
        "SYSTEM_ERROR until it does",
        directory.string());
  }
  std::vector<ClientRegistration> loaded;
  if (auto ec = store_.load(loaded, why)) return ec;
  std::lock_guard state(stateMutex_);
  for (auto& client : loaded) registry_.insert(std::move(client));
  for (const auto& client : registry_.entries()) queueFor(client.callback);
  if (registry_.size() > maxClients_) {
    spdlog::warn("state file holds {} clients, more than Max_clients={}", registry_.size(),
                 maxClients_);
  }
  spdlog::info("loaded {} registered client(s) from {}", registry_.size(), store_.path());
  return {};
}

void ServerCore::recover(const CurrentStateProvider& provider) {
  {
    std::lock_guard state(stateMutex_);
    if (registry_.size() == 0) return;
  }
  if (!provider) {
    spdlog::warn("no current-state provider: restored clients get no recovery events");
    return;
  }
  // The provider runs without our locks held: it may take its own, which publish() callers
  // may hold while they call us.
  const std::vector<Event> current = provider();
  std::vector<std::shared_ptr<const std::string>> documents;
  documents.reserve(current.size());
  for (const auto& event : current) {
    documents.push_back(std::make_shared<const std::string>(writeEvent(event)));
  }
  std::vector<QueuePtr> overflowed;
  {
    std::lock_guard state(stateMutex_);
    for (const auto& client : registry_.entries()) {
      std::vector<std::shared_ptr<const std::string>> wanted;
      for (std::size_t i = 0; i < current.size(); ++i) {
        if (matchesAny(client.types, current[i])) wanted.push_back(documents[i]);
      }
      pushAll(queueFor(client.callback), wanted, overflowed);
    }
    spdlog::info("recovery: queued current-state events for {} client(s)", registry_.size());
  }
  for (const auto& queue : overflowed) scheduleRemoval(queue, "its queue overflowed");
}

Reply ServerCore::apply(const boost::asio::ip::address& source, const Registration& request) {
  std::lock_guard change(changeMutex_);
  RegistryDecision decision;
  std::vector<ClientRegistration> after;
  {
    std::lock_guard state(stateMutex_);
    if (stopped_) {
      return makeReply(StatusCode::Retry, "the server is shutting down; register again shortly");
    }
    decision = registry_.evaluate(source, request);
    if (decision.code != StatusCode::Ok || decision.change == RegistryDecision::Change::None) {
      return makeReply(decision.code, decision.message);
    }
    after = registry_.entriesAfter(decision);
  }
  if (auto ec = persist(after)) {
    ServerCounters::bump(counters_->persistFailures);
    spdlog::error("{} from {} refused: cannot write the state file {}: {}", toString(request.type),
                  source.to_string(), store_.path(), ec.message());
    return makeReply(StatusCode::SystemError,
                     "the server could not save the registration in its state file (" +
                         ec.message() +
                         "); nothing was changed; the administrator must fix the server's "
                         "storage, then register again");
  }
  std::vector<QueuePtr> overflowed;
  {
    std::lock_guard state(stateMutex_);
    registry_.commit(decision);
    const Endpoint& callback = decision.client.callback;
    if (decision.change == RegistryDecision::Change::Remove) {
      if (auto it = queues_.find(callback); it != queues_.end()) {
        it->second->close();
        queues_.erase(it);
      }
    } else {
      std::vector<std::shared_ptr<const std::string>> snapshot;
      for (const LatestEvent* latest : latest_.matchingAny(decision.snapshotTypes)) {
        snapshot.push_back(latest->document);
      }
      pushAll(queueFor(callback), snapshot, overflowed);
    }
  }
  for (const auto& queue : overflowed) scheduleRemoval(queue, "its queue overflowed");
  spdlog::info("{} from {}: {}", toString(request.type), source.to_string(), decision.message);
  return makeReply(StatusCode::Ok, decision.message);
}

std::size_t ServerCore::publish(const Event& event) {
  auto document = std::make_shared<const std::string>(writeEvent(event));
  std::size_t queued = 0;
  std::vector<QueuePtr> overflowed;
  {
    std::lock_guard state(stateMutex_);
    latest_.record(++sequence_, event, document);
    if (stopped_) return 0;
    for (const auto& callback : registry_.matching(event)) {
      auto it = queues_.find(callback);
      if (it == queues_.end()) continue;
      switch (it->second->push(document)) {
        case DeliveryQueue::PushResult::Queued:
          ++queued;
          break;
        case DeliveryQueue::PushResult::Overflow:
          overflowed.push_back(it->second);
          break;
        case DeliveryQueue::PushResult::Closed:
          break;  // being removed
      }
    }
  }
  for (const auto& queue : overflowed) scheduleRemoval(queue, "its queue overflowed");
  return queued;
}

void ServerCore::seedLatest(const std::vector<Event>& events) {
  std::vector<std::shared_ptr<const std::string>> documents;
  documents.reserve(events.size());
  for (const auto& event : events) {
    documents.push_back(std::make_shared<const std::string>(writeEvent(event)));
  }
  std::lock_guard state(stateMutex_);
  for (std::size_t i = 0; i < events.size(); ++i) {
    latest_.record(++sequence_, events[i], documents[i]);
  }
}

std::vector<ClientInfo> ServerCore::clients() const {
  std::lock_guard state(stateMutex_);
  std::vector<ClientInfo> infos;
  for (const auto& client : registry_.entries()) {
    ClientInfo info;
    info.callback = client.callback;
    info.types = client.types;
    if (auto it = queues_.find(client.callback); it != queues_.end()) {
      const auto status = it->second->status();
      info.delivered = status.delivered;
      info.failedAttempts = status.failedAttempts;
      info.queued = status.queued;
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

void ServerCore::stop() {
  std::lock_guard state(stateMutex_);
  if (stopped_) return;
  stopped_ = true;
  for (const auto& [callback, queue] : queues_) queue->close();
}

std::error_code ServerCore::persist(const std::vector<ClientRegistration>& clients) {
  if (faults_->take(FaultKind::FailPersist)) {
    spdlog::warn("FailPersist fault: state-file write fails");
    return std::make_error_code(std::errc::io_error);
  }
  return store_.save(clients);
}

ServerCore::QueuePtr ServerCore::queueFor(const Endpoint& callback) {
  auto& queue = queues_[callback];
  // A closed queue belongs to a client that is being removed; a new ADD_CLIENT starts afresh
  // (and the pending removal then finds a different queue and leaves the client alone).
  if (!queue || queue->closed()) {
    std::weak_ptr<ServerCore> weak = weak_from_this();
    queue = std::make_shared<DeliveryQueue>(
        executor_, callback, delivery_, faults_, counters_, [weak](const QueuePtr& failed) {
          if (auto self = weak.lock()) {
            self->removeFailedClient(failed, "every delivery attempt failed");
          }
        });
  }
  return queue;
}

void ServerCore::pushAll(const QueuePtr& queue,
                         const std::vector<std::shared_ptr<const std::string>>& documents,
                         std::vector<QueuePtr>& overflowed) {
  for (const auto& document : documents) {
    if (queue->push(document) == DeliveryQueue::PushResult::Overflow) {
      overflowed.push_back(queue);
      return;
    }
  }
}

void ServerCore::scheduleRemoval(const QueuePtr& queue, std::string reason) {
  boost::asio::post(executor_, [weak = weak_from_this(), queue, reason = std::move(reason)] {
    if (auto self = weak.lock()) self->removeFailedClient(queue, reason);
  });
}

void ServerCore::removeFailedClient(const QueuePtr& queue, const std::string& reason) {
  std::lock_guard change(changeMutex_);
  std::vector<ClientRegistration> after;
  {
    std::lock_guard state(stateMutex_);
    if (stopped_) return;
    auto it = queues_.find(queue->callback());
    if (it == queues_.end() || it->second != queue) return;  // already removed or replaced
    queues_.erase(it);
    registry_.remove(queue->callback());
    after = registry_.entries();
  }
  queue->close();
  ServerCounters::bump(counters_->clientsRemoved);
  spdlog::warn("client {} removed: {}", crnp::toString(queue->callback()), reason);
  if (auto ec = persist(after)) {
    ServerCounters::bump(counters_->persistFailures);
    spdlog::error("cannot write the state file {} after removing {}: {}", store_.path(),
                  crnp::toString(queue->callback()), ec.message());
  }
}

}  // namespace crnp::sim
