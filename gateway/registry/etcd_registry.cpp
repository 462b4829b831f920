#include "etcd_registry.hpp"

#include <nlohmann/json.hpp>

#include "crnp/structured_log.hpp"
#include "registration_json.hpp"

namespace gateway {
namespace {
constexpr std::string_view kLog = "registry";
constexpr std::chrono::milliseconds kReloadRetry{500};
}  // namespace

Registry::OpenResult EtcdRegistry::open(etcd::EtcdClientPtr client, const std::string& prefix) {
  std::unique_ptr<EtcdRegistry> registry(new EtcdRegistry(std::move(client), keyPrefix(prefix)));
  auto loaded = registry->load();
  if (!loaded) return {nullptr, loaded.error().message};
  etcd::EtcdWatchHandlers handlers;
  auto* self = registry.get();
  handlers.onEvents = [self](etcd::EtcdWatchBatch batch) {
    const auto before = self->snapshot_.current();
    self->applyWatched(batch);
    self->notifyChanges(before);
  };
  handlers.onCompacted = [self](std::int64_t revision) {
    const auto before = self->snapshot_.current();
    auto next = self->reloadAfterCompaction(revision);
    self->notifyChanges(before);
    return next;
  };
  handlers.onError = [self](const etcd::EtcdError& error) {
    crnp::slog::warn(kLog, "etcd watch interrupted; resuming",
                     {{"prefix", self->keyPrefix_}, {"error", error.message}});
  };
  registry->watch_ = std::make_unique<etcd::EtcdWatch>(registry->client_, registry->keyPrefix_,
                                                       loaded.value() + 1, std::move(handlers));
  crnp::slog::info(kLog, "opened",
                   {{"store", "etcd"},
                    {"endpoints", registry->client_->endpointList()},
                    {"prefix", registry->keyPrefix_},
                    {"revision", loaded.value()},
                    {"registrations", registry->size()}});
  return {std::unique_ptr<Registry>(std::move(registry)), {}};
}

EtcdRegistry::EtcdRegistry(etcd::EtcdClientPtr client, std::string keyPrefix)
    : client_(std::move(client)), keyPrefix_(std::move(keyPrefix)) {}

EtcdRegistry::~EtcdRegistry() {
  {
    std::lock_guard lock(stopMutex_);
    stopping_ = true;
  }
  stopWake_.notify_all();
  watch_.reset();  // joins the watch's thread, which may be retrying a reload
}

std::optional<RegistrationRecord> EtcdRegistry::decode(const mvccpb::KeyValue& kv,
                                                       std::string& why) const {
  const std::string id = kv.key().substr(keyPrefix_.size());
  auto record = recordFromJson(kv.value());
  if (!record) {
    why = "registration " + kv.key() + " is not a readable record";
    return std::nullopt;
  }
  if (record->id != id) {
    why = "registration " + kv.key() + " holds the record of id " + record->id;
    return std::nullopt;
  }
  return record;
}

etcd::EtcdResult<std::int64_t> EtcdRegistry::load() {
  auto range = client_->rangePrefix(keyPrefix_);
  if (!range) return range.error();
  Records records;
  for (const auto& kv : range.value().kvs) {
    std::string why;
    auto record = decode(kv, why);
    if (!record) return etcd::EtcdError{grpc::StatusCode::DATA_LOSS, why};
    records.emplace(record->id, std::move(*record));
  }
  const auto revision = range.value().revision;
  std::lock_guard lock(stateMutex_);
  // Local writes newer than the range keep their published state; the watch brings them
  // again, from revision + 1, and they are skipped then as not newer.
  const auto current = snapshot_.current();
  for (auto it = ahead_.begin(); it != ahead_.end();) {
    if (it->second <= revision) {
      it = ahead_.erase(it);
      continue;
    }
    const auto found = current->find(it->first);
    if (found != current->end()) {
      records[it->first] = found->second;
    } else {
      records.erase(it->first);
    }
    ++it;
  }
  watchedThrough_ = revision;
  snapshot_.publish(std::make_shared<const Records>(std::move(records)));
  return revision;
}

void EtcdRegistry::applyWatched(const etcd::EtcdWatchBatch& batch) {
  std::lock_guard lock(stateMutex_);
  auto next = std::make_shared<Records>(*snapshot_.current());
  for (const auto& event : batch.events) {
    const auto& kv = event.kv();
    const auto revision = kv.mod_revision();
    const std::string id = kv.key().substr(keyPrefix_.size());
    watchedThrough_ = std::max(watchedThrough_, revision);
    const auto ahead = ahead_.find(id);
    if (ahead != ahead_.end() && ahead->second >= revision) continue;  // published already
    if (event.type() == mvccpb::Event::DELETE) {
      next->erase(id);
      continue;
    }
    std::string why;
    auto record = decode(kv, why);
    if (!record) {
      crnp::slog::error(kLog, "ignoring a change from etcd",
                        {{"reason", why}, {"revision", revision}});
      continue;
    }
    (*next)[id] = std::move(*record);
  }
  // Local writes the watch has now passed need no protection any more.
  std::erase_if(ahead_, [this](const auto& entry) { return entry.second <= watchedThrough_; });
  snapshot_.publish(std::move(next));
}

std::optional<std::int64_t> EtcdRegistry::reloadAfterCompaction(std::int64_t compactRevision) {
  crnp::slog::warn(kLog, "etcd compacted the watched history; reloading",
                   {{"prefix", keyPrefix_}, {"compact_revision", compactRevision}});
  for (;;) {
    auto revision = load();
    if (revision) return revision.value() + 1;
    crnp::slog::error(kLog, "reload from etcd failed; retrying",
                      {{"prefix", keyPrefix_}, {"error", revision.error().message}});
    std::unique_lock lock(stopMutex_);
    if (stopWake_.wait_for(lock, kReloadRetry, [this] { return stopping_; })) return std::nullopt;
  }
}

void EtcdRegistry::applyLocal(const std::string& id,
                              const std::optional<RegistrationRecord>& record,
                              std::int64_t revision) {
  std::lock_guard lock(stateMutex_);
  if (revision <= watchedThrough_) return;  // the watch delivered it (and anything later)
  auto& ahead = ahead_[id];
  if (revision <= ahead) return;  // a later local write was published first
  ahead = revision;
  auto next = std::make_shared<Records>(*snapshot_.current());
  if (record) {
    (*next)[id] = *record;
  } else {
    next->erase(id);
  }
  snapshot_.publish(std::move(next));
}

void EtcdRegistry::setRemoteChangeListener(ChangeListener listener) {
  std::lock_guard lock(listenerMutex_);
  listener_ = std::move(listener);
}

void EtcdRegistry::notifyChanges(const RecordSnapshot::RecordsPtr& before) {
  ChangeListener listener;
  {
    std::lock_guard lock(listenerMutex_);
    listener = listener_;
  }
  const auto after = snapshot_.current();
  if (!listener || after == before) return;
  // O(registrations) per watched batch: registration changes are rare next to reads.
  for (const auto& [id, record] : *after) {
    const auto old = before->find(id);
    if (old == before->end() || old->second.types != record.types) listener(id, record.types);
  }
  for (const auto& [id, record] : *before) {
    if (!after->contains(id)) listener(id, std::nullopt);
  }
}

std::optional<std::string> EtcdRegistry::put(const RegistrationRecord& record) {
  std::string value;
  try {
    value = recordToJson(record);
  } catch (const nlohmann::json::exception& e) {
    return std::string("cannot encode registration ") + record.id + ": " + e.what();
  }
  const std::string key = keyPrefix_ + record.id;
  auto answer = client_->put(key, value);
  // Writing the same value again is harmless: one repeat when the member went away.
  if (!answer && answer.error().code == grpc::StatusCode::UNAVAILABLE)
    answer = client_->put(key, value);
  if (!answer) return answer.error().message;
  applyLocal(record.id, record, answer.value().header().revision());
  return std::nullopt;
}

std::optional<std::string> EtcdRegistry::remove(const std::string& id) {
  const std::string key = keyPrefix_ + id;
  auto answer = client_->remove(key);
  if (!answer && answer.error().code == grpc::StatusCode::UNAVAILABLE)
    answer = client_->remove(key);
  if (!answer) return answer.error().message;
  applyLocal(id, std::nullopt, answer.value().header().revision());
  return std::nullopt;
}

}  // namespace gateway
