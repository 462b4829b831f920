#pragma once
// A scripted gateway::Upstream for tests: records every applyTypes call and answers it with
// the next scripted UpstreamResult (OK when the script is empty), either at once or, in hold
// mode, when the test calls answerNext(). Like the real one, it keeps its previous set of types
// when an answer is not OK. converge() calls are recorded (desired()), not carried out.
// Thread-safe.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "upstream.hpp"

namespace gateway::test {

class FakeUpstream : public Upstream {
 public:
  using Types = std::vector<crnp::EventType>;

  static UpstreamResult ok(std::string server = "fake:9444") {
    return {crnp::RegistrationOutcome::Replied, crnp::StatusCode::Ok, "ok", std::move(server)};
  }
  static UpstreamResult reply(crnp::StatusCode code, std::string message = "scripted",
                              std::string server = "fake:9444") {
    return {crnp::RegistrationOutcome::Replied, code, std::move(message), std::move(server)};
  }
  static UpstreamResult transport(crnp::RegistrationOutcome outcome,
                                  std::string message = "scripted",
                                  std::string server = "fake:9444") {
    return {outcome, std::nullopt, std::move(message), std::move(server)};
  }

  /// The answer to the next call that finds no earlier scripted answer.
  void script(UpstreamResult result) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(result));
  }
  /// While held, calls wait for answerNext().
  void hold(bool held) {
    std::lock_guard lock(mutex_);
    held_ = held;
  }
  /// Answers the oldest held call with `result`; false if none is waiting.
  bool answerNext(UpstreamResult result) {
    Pending pending;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) return false;
      pending = std::move(pending_.front());
      pending_.pop_front();
      if (result.ok()) confirmed_ = pending.types;
    }
    pending.done(std::move(result));
    return true;
  }

  Types confirmed() const {
    std::lock_guard lock(mutex_);
    return confirmed_;
  }
  /// The sets handed to converge(), in order.
  std::vector<Types> convergeCalls() const {
    std::lock_guard lock(mutex_);
    return converged_;
  }
  std::vector<Types> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::size_t callCount() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }
  /// Waits until at least `count` calls arrived (held ones included).
  bool waitForCalls(std::size_t count,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return calls_.size() >= count; });
  }
  void setHealth(UpstreamHealth health) {
    std::function<void(const UpstreamHealth&)> listener;
    {
      std::lock_guard lock(mutex_);
      health_ = health;
      listener = listener_;
    }
    if (listener) listener(health);
  }

  // Upstream
  void applyTypes(Types types, std::function<void(UpstreamResult)> done) override {
    UpstreamResult result = ok();
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(types);
      changed_.notify_all();
      if (held_) {
        pending_.push_back({std::move(types), std::move(done)});
        return;
      }
      if (!script_.empty()) {
        result = std::move(script_.front());
        script_.pop_front();
      }
      if (result.ok()) confirmed_ = types;
    }
    done(std::move(result));
  }
  void converge(Types types) override {
    std::lock_guard lock(mutex_);
    converged_.push_back(std::move(types));
  }
  UpstreamHealth health() const override {
    std::lock_guard lock(mutex_);
    return health_;
  }
  void setHealthListener(std::function<void(const UpstreamHealth&)> listener) override {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }

 private:
  struct Pending {
    Types types;
    std::function<void(UpstreamResult)> done;
  };

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<UpstreamResult> script_;
  std::deque<Pending> pending_;
  std::vector<Types> calls_;
  std::vector<Types> converged_;
  Types confirmed_;
  bool held_ = false;
  UpstreamHealth health_;
  std::function<void(const UpstreamHealth&)> listener_;
};

}  // namespace gateway::test
