#include "registration_service.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <utility>

#include "crnp/structured_log.hpp"
#include "proto_conversion.hpp"
#include "request_validation.hpp"
#include "status_mapping.hpp"
#include "type_set_diff.hpp"

namespace gateway {
namespace {

namespace pb = crnp::gateway::v1;
using crnp::EventType;

constexpr std::string_view kLogComponent = "registration";

// Tries before giving up on a generated id that is already taken (with 128 random bits a
// clash means a broken generator, not bad luck).
constexpr int kIdAttempts = 4;

}  // namespace

std::string generateRegistrationId() {
  std::random_device device;  // the OS's CSPRNG: ids are not guessable from earlier ones
  std::string id;
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = device();
    for (int nibble = 0; nibble < 8; ++nibble, bits >>= 4) id += "0123456789abcdef"[bits & 0xF];
  }
  return id;
}

namespace {

void recordToProto(const RegistrationRecord& record, pb::Registration* out) {
  out->set_registration_id(record.id);
  for (const auto& type : record.types) toProto(type, out->add_event_types());
  toProto(record.createTime, out->mutable_create_time());
  toProto(record.updateTime, out->mutable_update_time());
}

pb::Registration recordToProto(const RegistrationRecord& record) {
  pb::Registration out;
  recordToProto(record, &out);
  return out;
}

bool sameSet(const std::vector<EventType>& a, const std::vector<EventType>& b) {
  return normalizeTypes(a) == normalizeTypes(b);
}

grpc::Status registryFailure(const std::string& error) {
  return makeErrorStatus(grpc::StatusCode::INTERNAL, "registry write failed: " + error,
                         "REGISTRY_WRITE_FAILED");
}

}  // namespace

RegistrationService::RegistrationService(Registry& registry, Upstream& upstream, Executor executor,
                                         Options options)
    : registry_(registry),
      upstream_(upstream),
      executor_(std::move(executor)),
      options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
  if (!options_.newId) options_.newId = generateRegistrationId;
}

void RegistrationService::registerAsync(const pb::RegisterRequest& request, RegisterDone done,
                                        Caller caller) {
  const RegistrationLimits& limits = options_.limits;
  std::string id = request.registration_id();
  if (id.empty()) {
    for (int attempt = 0; attempt < kIdAttempts && (id.empty() || registry_.get(id)); ++attempt) {
      id = options_.newId();
    }
    if (registry_.get(id)) {
      return done(makeErrorStatus(grpc::StatusCode::INTERNAL, "no unused registration id found",
                                  "ID_GENERATION_FAILED"),
                  {});
    }
  }
  if (auto status = validateRegistrationId(id, limits); !status.ok()) return done(status, {});
  auto types = validateEventTypes(request.event_types(), limits, TypesRequired::AtLeastOne);
  if (!types.status.ok()) return done(types.status, {});

  Change change;
  change.refuse = [done](grpc::Status status) { done(std::move(status), {}); };
  change.caller = std::move(caller);
  change.run = [this, id = std::move(id), types = std::move(types.types), done = std::move(done)](
                   Finish finish) { runRegister(id, types, done, std::move(finish)); };
  enqueue(std::move(change), /*bypassLimit=*/false);
}

void RegistrationService::unregisterAsync(const pb::UnregisterRequest& request, UnregisterDone done,
                                          Caller caller) {
  std::string id = request.registration_id();
  if (auto status = validateRegistrationId(id, options_.limits); !status.ok()) {
    return done(status, {});
  }
  auto types =
      validateEventTypes(request.event_types(), options_.limits, TypesRequired::MayBeEmpty);
  if (!types.status.ok()) return done(types.status, {});

  Change change;
  change.refuse = [done](grpc::Status status) { done(std::move(status), {}); };
  change.caller = std::move(caller);
  change.run = [this, id = std::move(id), types = std::move(types.types), done = std::move(done)](
                   Finish finish) { runUnregister(id, types, done, std::move(finish)); };
  enqueue(std::move(change), /*bypassLimit=*/false);
}

grpc::Status RegistrationService::getRegistration(const pb::GetRegistrationRequest& request,
                                                  pb::Registration* out) const {
  const std::string& id = request.registration_id();
  if (auto status = validateRegistrationId(id, options_.limits); !status.ok()) return status;
  const auto record = registry_.get(id);
  if (!record) return registrationNotFound(id);
  recordToProto(*record, out);
  return grpc::Status::OK;
}

void RegistrationService::listRegistrations(pb::ListRegistrationsResponse* out) const {
  for (const auto& record : registry_.list()) recordToProto(record, out->add_registrations());
}

void RegistrationService::restore(std::function<void(RestoreResult)> done) {
  Change change;
  change.refuse = [done](grpc::Status status) {
    RestoreResult result;
    result.status = std::move(status);
    done(std::move(result));
  };
  change.run = [this, done](Finish finish) {
    RestoreResult result;
    result.registrations = registry_.size();
    auto desired = unionWith({}, {});
    result.types = desired.size();
    if (result.registrations > 0) {
      crnp::slog::info(kLogComponent, "restoring registrations upstream",
                       {{"registrations", result.registrations}, {"types", result.types}});
    }
    upstream_.converge(std::move(desired));
    done(std::move(result));
    finish();
  };
  enqueue(std::move(change), /*bypassLimit=*/true);
}

void RegistrationService::shutdown() {
  std::deque<Change> refused;
  {
    std::lock_guard lock(mutex_);
    shutDown_ = true;
    refused.swap(queue_);
  }
  for (auto& change : refused) change.refuse(changeRefusedShuttingDown());
}

bool RegistrationService::waitUntilIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  // running_ is false only while the queue is empty (enqueue sets it with the first change).
  return idle_.wait_until(lock, deadline, [this] { return !running_; });
}

void RegistrationService::enqueue(Change change, bool bypassLimit) {
  std::unique_lock lock(mutex_);
  if (shutDown_) {
    lock.unlock();
    return change.refuse(changeRefusedShuttingDown());
  }
  if (!bypassLimit && queue_.size() >= options_.limits.maxPendingChanges) {
    lock.unlock();
    return change.refuse(makeErrorStatus(
        grpc::StatusCode::RESOURCE_EXHAUSTED, "too many registration changes pending",
        "TOO_MANY_PENDING_CHANGES", {{"max", std::to_string(options_.limits.maxPendingChanges)}},
        RetryDelays::kGatewayBusy));
  }
  queue_.push_back(std::move(change));
  if (running_) return;
  running_ = true;
  lock.unlock();
  executor_([this] { runNext(); });
}

void RegistrationService::runNext() {
  Change change;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      running_ = false;
      idle_.notify_all();
      return;
    }
    change = std::move(queue_.front());
    queue_.pop_front();
  }
  if (auto gone = callerGone(change.caller)) {
    change.refuse(std::move(*gone));
    return executor_([this] { runNext(); });
  }
  change.run([this] { executor_([this] { runNext(); }); });
}

std::optional<grpc::Status> RegistrationService::callerGone(const Caller& caller) const {
  if (caller.cancelled && caller.cancelled()) {
    return makeErrorStatus(grpc::StatusCode::CANCELLED,
                           "the call was cancelled before its change started; nothing changed",
                           "CHANGE_NOT_STARTED");
  }
  if (caller.deadline != std::chrono::system_clock::time_point::max() &&
      options_.now() >= caller.deadline) {
    return makeErrorStatus(grpc::StatusCode::DEADLINE_EXCEEDED,
                           "the call's deadline passed while its change waited for the ones "
                           "before it; nothing changed",
                           "CHANGE_NOT_STARTED");
  }
  return std::nullopt;
}

void RegistrationService::runRegister(std::string id, std::vector<EventType> types,
                                      RegisterDone done, Finish finish) {
  const RegistrationLimits& limits = options_.limits;
  auto existing = registry_.get(id);
  if (!existing && registry_.size() >= limits.maxRegistrations) {
    done(makeErrorStatus(grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "the gateway holds its maximum number of registrations",
                         "TOO_MANY_REGISTRATIONS",
                         {{"max", std::to_string(limits.maxRegistrations)}}),
         {});
    return finish();
  }
  auto desired = unionWith(id, types);
  if (desired.size() > limits.maxUnionTypes) {
    done(
        makeErrorStatus(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "all registrations together would need more than " +
                            std::to_string(limits.maxUnionTypes) + " event types upstream",
                        "TOO_MANY_UPSTREAM_TYPES", {{"max", std::to_string(limits.maxUnionTypes)}}),
        {});
    return finish();
  }
  applyUnion(std::move(desired), [this, id, types, existing, done, finish](UpstreamResult answer) {
    if (!answer.ok()) {
      auto status = toGrpcStatus(answer);
      crnp::slog::warn(kLogComponent, "register refused by the upstream",
                       {{"registration", id}, {"error", status.error_message()}});
      done(std::move(status), {});
      return finish();
    }
    if (existing && sameSet(existing->types, types)) {
      done(grpc::Status::OK,
           recordToProto(*existing));  // idempotent: the stored state is the answer
      return finish();
    }
    const auto now = options_.now();
    const RegistrationRecord record{id, types, existing ? existing->createTime : now, now};
    if (auto error = registry_.put(record)) {
      crnp::slog::error(kLogComponent, "register: registry write failed",
                        {{"registration", id}, {"error", *error}});
      done(registryFailure(*error), {});
      return resyncAfterFailedWrite(finish);
    }
    crnp::slog::info(kLogComponent, existing ? "registration replaced" : "registration created",
                     {{"registration", id}, {"types", types.size()}});
    notify(id, record.types);
    done(grpc::Status::OK, recordToProto(record));
    finish();
  });
}

void RegistrationService::runUnregister(std::string id, std::vector<EventType> remove,
                                        UnregisterDone done, Finish finish) {
  auto existing = registry_.get(id);
  if (!existing) {
    done(registrationNotFound(id), {});
    return finish();
  }
  std::vector<EventType> remaining;
  if (!remove.empty()) {
    std::copy_if(existing->types.begin(), existing->types.end(), std::back_inserter(remaining),
                 [&](const EventType& type) {
                   return std::find(remove.begin(), remove.end(), type) == remove.end();
                 });
  }
  // Removing every type removes the registration: an empty one could never receive anything.
  const bool removeAll = remaining.empty();
  applyUnion(unionWith(id, remaining), [this, id, remaining, removeAll, existing, done,
                                        finish](UpstreamResult answer) {
    if (!answer.ok()) {
      auto status = toGrpcStatus(answer);
      crnp::slog::warn(kLogComponent, "unregister refused by the upstream",
                       {{"registration", id}, {"error", status.error_message()}});
      done(std::move(status), {});
      return finish();
    }
    pb::UnregisterResponse response;
    if (removeAll) {
      if (auto error = registry_.remove(id)) {
        crnp::slog::error(kLogComponent, "unregister: registry write failed",
                          {{"registration", id}, {"error", *error}});
        done(registryFailure(*error), {});
        return resyncAfterFailedWrite(finish);
      }
      crnp::slog::info(kLogComponent, "registration removed", {{"registration", id}});
      notify(id, std::nullopt);
      response.set_removed(true);
    } else if (remaining.size() == existing->types.size()) {
      recordToProto(*existing, response.mutable_registration());  // none of them was registered
    } else {
      const RegistrationRecord record{id, remaining, existing->createTime, options_.now()};
      if (auto error = registry_.put(record)) {
        crnp::slog::error(kLogComponent, "unregister: registry write failed",
                          {{"registration", id}, {"error", *error}});
        done(registryFailure(*error), {});
        return resyncAfterFailedWrite(finish);
      }
      crnp::slog::info(kLogComponent, "registration narrowed",
                       {{"registration", id}, {"types", remaining.size()}});
      notify(id, record.types);
      recordToProto(record, response.mutable_registration());
    }
    done(grpc::Status::OK, std::move(response));
    finish();
  });
}

void RegistrationService::applyUnion(std::vector<EventType> desired,
                                     std::function<void(UpstreamResult)> then) {
  upstream_.applyTypes(std::move(desired), [this, then](UpstreamResult result) {
    // The upstream answers on its own thread; the change goes on where changes run.
    executor_([then, result = std::move(result)] { then(result); });
  });
}

void RegistrationService::resyncAfterFailedWrite(Finish finish) {
  // The upstream took a union the registry did not: it converges on the stored one again, so
  // that a registration whose removal was not stored keeps receiving its events.
  upstream_.converge(unionWith({}, {}));
  finish();
}

std::vector<EventType> RegistrationService::unionWith(const std::string& id,
                                                      const std::vector<EventType>& types) const {
  std::vector<EventType> all = types;
  all.insert(all.end(), options_.ownTypes.begin(), options_.ownTypes.end());
  for (const auto& record : registry_.list()) {
    if (record.id != id) all.insert(all.end(), record.types.begin(), record.types.end());
  }
  return normalizeTypes(std::move(all));
}

void RegistrationService::notify(const std::string& id,
                                 const std::optional<std::vector<EventType>>& types) {
  if (options_.onChange) options_.onChange(id, types);
}

}  // namespace gateway
