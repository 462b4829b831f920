#include "replicated_upstream.hpp"

#include <nlohmann/json.hpp>

#include "crnp/structured_log.hpp"
#include "unix_nanos.hpp"

namespace gateway::ha {
namespace {

constexpr std::string_view kLog = "ha";
constexpr const char* kNoLeader = "no replica leads (an election is under way)";

UpstreamHealth noLeader() {
  UpstreamHealth health;
  health.lastError = kNoLeader;
  return health;
}

}  // namespace

std::string encodeUpstreamHealth(const UpstreamHealth& health, const std::string& replica) {
  nlohmann::json json{{"replica", replica},
                      {"healthy", health.healthy},
                      {"server", health.server},
                      {"last_error", health.lastError},
                      {"events_received", health.eventsReceived}};
  if (health.lastRegistered) json["last_registered_ns"] = toUnixNanos(*health.lastRegistered);
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<UpstreamHealth> decodeUpstreamHealth(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  try {
    UpstreamHealth health;
    health.healthy = json.at("healthy").get<bool>();
    health.server = json.at("server").get<std::string>();
    health.lastError = json.at("last_error").get<std::string>();
    health.eventsReceived = json.at("events_received").get<std::uint64_t>();
    if (json.contains("last_registered_ns")) {
      health.lastRegistered = fromUnixNanos(json.at("last_registered_ns").get<std::int64_t>());
    }
    return health;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

ReplicatedUpstream::ReplicatedUpstream(etcd::EtcdClientPtr client, ReplicationKeys keys,
                                       std::string replicaName)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      replicaName_(std::move(replicaName)),
      published_(noLeader()) {}

ReplicatedUpstream::~ReplicatedUpstream() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  publishWake_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  watch_.reset();
}

void ReplicatedUpstream::start() {
  std::int64_t from = 0;
  if (auto current = client_->range({keys_.upstreamHealth})) {
    const auto& kvs = current.value().kvs();
    onPublished(kvs.empty() ? std::nullopt : decodeUpstreamHealth(kvs[0].value()));
    from = current.value().header().revision() + 1;
  }
  etcd::EtcdWatchHandlers handlers;
  handlers.onEvents = [this](etcd::EtcdWatchBatch batch) {
    for (const auto& event : batch.events) {
      if (event.kv().key() != keys_.upstreamHealth) continue;
      onPublished(event.type() == mvccpb::Event::DELETE ? std::nullopt
                                                        : decodeUpstreamHealth(event.kv().value()));
    }
  };
  handlers.onCompacted = [this](std::int64_t) -> std::optional<std::int64_t> {
    auto current = client_->range({keys_.upstreamHealth});
    if (!current) return 0;  // from now on; the next change tells
    const auto& kvs = current.value().kvs();
    onPublished(kvs.empty() ? std::nullopt : decodeUpstreamHealth(kvs[0].value()));
    return current.value().header().revision() + 1;
  };
  handlers.onError = [](const etcd::EtcdError& error) {
    crnp::slog::warn(kLog, "etcd watch of the leader's health interrupted; resuming",
                     {{"error", error.message}});
  };
  watch_ =
      std::make_unique<etcd::EtcdWatch>(client_, keys_.upstreamHealth, from, std::move(handlers));
  publisher_ = std::thread([this] { publishLoop(); });
}

void ReplicatedUpstream::lead(UpstreamPtr term, std::int64_t lease) {
  {
    std::lock_guard lock(mutex_);
    term_ = term;
    termLease_ = lease;
  }
  std::weak_ptr<Upstream> weak = term;
  term->setHealthListener([this, weak](const UpstreamHealth& health) {
    if (auto strong = weak.lock()) onTermHealth(strong, health);
  });
  onTermHealth(term, term->health());
}

void ReplicatedUpstream::follow() {
  {
    std::lock_guard lock(mutex_);
    term_.reset();
    termLease_ = 0;
    toPublish_.reset();
  }
  reportIfChanged();
}

UpstreamPtr ReplicatedUpstream::term() const {
  std::lock_guard lock(mutex_);
  return term_;
}

void ReplicatedUpstream::applyTypes(std::vector<crnp::EventType> types,
                                    std::function<void(UpstreamResult)> done) {
  if (auto current = term()) return current->applyTypes(std::move(types), std::move(done));
  // Only the leader's registration service changes the registration; a term that ended
  // while its change was queued lands here.
  UpstreamResult result;
  result.outcome = crnp::RegistrationOutcome::NetworkError;
  result.message = "this replica no longer leads the deployment; retry (another replica does)";
  done(std::move(result));
}

void ReplicatedUpstream::converge(std::vector<crnp::EventType> types) {
  if (auto current = term()) current->converge(std::move(types));
}

UpstreamHealth ReplicatedUpstream::health() const {
  UpstreamPtr current;
  {
    std::lock_guard lock(mutex_);
    if (!term_) return published_;
    current = term_;
  }
  return current->health();  // outside the lock: the term calls back into onTermHealth
}

void ReplicatedUpstream::setHealthListener(std::function<void(const UpstreamHealth&)> listener) {
  listener_ = std::move(listener);
}

void ReplicatedUpstream::onTermHealth(const UpstreamPtr& term, const UpstreamHealth& health) {
  {
    std::lock_guard lock(mutex_);
    if (term_ != term) return;  // a term that is over
    toPublish_.emplace(health, termLease_);
  }
  publishWake_.notify_one();
  reportIfChanged();
}

void ReplicatedUpstream::onPublished(const std::optional<UpstreamHealth>& health) {
  {
    std::lock_guard lock(mutex_);
    published_ = health ? *health : noLeader();
  }
  reportIfChanged();
}

void ReplicatedUpstream::reportIfChanged() {
  const UpstreamHealth now = health();
  std::optional<UpstreamHealth> report;
  {
    std::lock_guard lock(mutex_);
    if (!reportedOnce_ || now.healthy != lastReportedHealthy_) {
      reportedOnce_ = true;
      lastReportedHealthy_ = now.healthy;
      report = now;
    }
  }
  if (report && listener_) listener_(*report);
}

void ReplicatedUpstream::publishLoop() {
  for (;;) {
    std::pair<UpstreamHealth, std::int64_t> next;
    {
      std::unique_lock lock(mutex_);
      publishWake_.wait(lock, [this] { return stopping_ || toPublish_.has_value(); });
      if (stopping_) return;
      next = std::move(*toPublish_);
      toPublish_.reset();
    }
    auto put = client_->put(keys_.upstreamHealth, encodeUpstreamHealth(next.first, replicaName_),
                            next.second);
    if (!put) {
      crnp::slog::warn(kLog, "cannot publish the upstream's health",
                       {{"error", put.error().message}});
    }
  }
}

}  // namespace gateway::ha
