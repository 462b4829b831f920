#pragma once
// A RegistrationService over an in-memory Registry and a FakeUpstream, with a fake clock and a
// record of the change notifications; calls wait for `done` with a deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fake_upstream.hpp"
#include "registration_service.hpp"
#include "registry.hpp"
#include "sqlite_registry.hpp"
#include "status_details.hpp"

namespace gateway::test {

namespace pb = crnp::gateway::v1;
using Types = std::vector<crnp::EventType>;

inline crnp::EventType membership() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
inline crnp::EventType rgState(const std::string& group) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {group}}}};
}
inline crnp::EventType allCluster() { return {"EC_Cluster", "", {}}; }

inline void addType(const crnp::EventType& type, pb::EventType* out) {
  out->set_event_class(type.eventClass);
  out->set_subclass(type.subclass);
  for (const auto& pair : type.nvpairs) {
    auto* nv = out->add_nvpairs();
    nv->set_name(pair.name);
    for (const auto& value : pair.values) nv->add_values(value);
  }
}

inline pb::RegisterRequest registerRequest(const std::string& id, const Types& types) {
  pb::RegisterRequest request;
  request.set_registration_id(id);
  for (const auto& type : types) addType(type, request.add_event_types());
  return request;
}

inline pb::UnregisterRequest unregisterRequest(const std::string& id, const Types& types = {}) {
  pb::UnregisterRequest request;
  request.set_registration_id(id);
  for (const auto& type : types) addType(type, request.add_event_types());
  return request;
}

inline Types typesOf(const pb::Registration& registration) {
  Types out;
  for (const auto& type : registration.event_types()) {
    crnp::EventType converted{type.event_class(), type.subclass(), {}};
    for (const auto& pair : type.nvpairs()) {
      converted.nvpairs.push_back({pair.name(), {pair.values().begin(), pair.values().end()}});
    }
    out.push_back(std::move(converted));
  }
  return out;
}

inline std::string reasonOf(const grpc::Status& status) {
  const auto details = parseStatusDetails(status);
  return details.errorInfo ? details.errorInfo->reason() : "<no ErrorInfo>";
}

template <class T>
struct Outcome {
  grpc::Status status;
  T response;
};

constexpr auto kDeadline = std::chrono::seconds(10);

class RegistrationFixture : public ::testing::Test {
 protected:
  using Change = std::pair<std::string, std::optional<Types>>;

  RegistrationFixture() { rebuild({}); }

  /// A new service (over the same registry and upstream) with these options; the fixture's
  /// clock and observer are filled in where left empty.
  void rebuild(RegistrationService::Options options,
               RegistrationService::Executor executor = nullptr) {
    if (!options.now) options.now = [this] { return now(); };
    if (!options.onChange) {
      options.onChange = [this](const std::string& id, const std::optional<Types>& types) {
        std::lock_guard lock(mutex_);
        changes_.emplace_back(id, types);
      };
    }
    if (!executor) executor = [](std::function<void()> task) { task(); };
    service_.reset();
    service_ = std::make_unique<RegistrationService>(*registry_, upstream_, std::move(executor),
                                                     std::move(options));
  }

  std::chrono::system_clock::time_point now() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + ticks_++));
  }

  std::future<Outcome<pb::Registration>> registerLater(const pb::RegisterRequest& request,
                                                       RegistrationService::Caller caller = {}) {
    auto promise = std::make_shared<std::promise<Outcome<pb::Registration>>>();
    auto future = promise->get_future();
    service_->registerAsync(
        request,
        [promise](grpc::Status status, pb::Registration response) {
          promise->set_value({std::move(status), std::move(response)});
        },
        std::move(caller));
    return future;
  }
  std::future<Outcome<pb::UnregisterResponse>> unregisterLater(
      const pb::UnregisterRequest& request, RegistrationService::Caller caller = {}) {
    auto promise = std::make_shared<std::promise<Outcome<pb::UnregisterResponse>>>();
    auto future = promise->get_future();
    service_->unregisterAsync(
        request,
        [promise](grpc::Status status, pb::UnregisterResponse response) {
          promise->set_value({std::move(status), std::move(response)});
        },
        std::move(caller));
    return future;
  }
  template <class T>
  static T wait(std::future<T> future) {
    if (future.wait_for(kDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "done did not run within the deadline";
      return {};
    }
    return future.get();
  }

  Outcome<pb::Registration> registerNow(const std::string& id, const Types& types) {
    return wait(registerLater(registerRequest(id, types)));
  }
  Outcome<pb::UnregisterResponse> unregisterNow(const std::string& id, const Types& types = {}) {
    return wait(unregisterLater(unregisterRequest(id, types)));
  }

  std::vector<Change> changes() {
    std::lock_guard lock(mutex_);
    return changes_;
  }

  std::unique_ptr<Registry> registry_ = SqliteRegistry::open("").registry;
  FakeUpstream upstream_;
  std::unique_ptr<RegistrationService> service_;

 private:
  std::atomic<int> ticks_{0};
  std::mutex mutex_;
  std::vector<Change> changes_;
};

}  // namespace gateway::test
