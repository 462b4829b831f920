// Simulator: wires the ClusterModel, the CrnpServer and the ScenarioDriver together. The model
// sits behind a mutex only so the server's current-state provider (called on the server's own
// threads) can read it; every change happens on the strand, which also publishes the events,
// so publication order is generation order. publish() is never called with the mutex held.
#include "crnp/sim/simulator.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cmath>
#include <mutex>
#include <utility>

namespace crnp::sim {

namespace asio = boost::asio;

std::optional<std::string> validate(const SimulatorConfig& config) {
  if (auto error = validate(config.cluster)) return error;
  const double rate = config.scenario.eventRate;
  if (!std::isfinite(rate) || rate <= 0) {
    return "the event rate must be a positive number of events per second";
  }
  if (config.scenario.floodBatch == 0) return std::string("the flood batch must not be 0");
  return std::nullopt;
}

class Simulator::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, SimulatorConfig config)
      : config_(std::move(config)),
        configError_(validate(config_)),
        strand_(asio::make_strand(executor)),
        server_(executor, config_.server) {
    if (!configError_) model_.emplace(config_.cluster);
  }

  std::error_code start() {
    if (configError_) {
      spdlog::error("crnp-sim: {}", *configError_);
      return std::make_error_code(std::errc::invalid_argument);
    }
    if (started_.exchange(true)) return std::make_error_code(std::errc::operation_in_progress);
    server_.seedLatest(currentState());
    std::weak_ptr<Impl> weak = shared_from_this();
    server_.setCurrentStateProvider([weak]() -> std::vector<Event> {
      const auto self = weak.lock();
      return self ? self->currentState() : std::vector<Event>{};
    });
    if (auto ec = server_.start()) return ec;
    running_ = true;
    driver_.emplace(
        strand_, config_.scenario,
        [weak](std::mt19937_64& random) -> std::vector<Event> {
          const auto self = weak.lock();
          if (!self) return {};
          std::lock_guard lock(self->modelMutex_);
          return self->model_->randomStep(random);
        },
        [weak](const Event& event) {
          if (const auto self = weak.lock()) self->publish(event);
        });
    driver_->start();
    spdlog::info("crnp-sim: cluster of {} nodes and {} resource groups (vendor {}), scenario {}",
                 model_->nodes().size(), model_->groups().size(), model_->vendor(),
                 toString(config_.scenario.kind));
    return {};
  }

  void stop() {
    if (!running_.exchange(false)) return;
    if (driver_) driver_->stop();
    server_.stop();
    std::uint64_t generated = 0;
    {
      std::lock_guard lock(modelMutex_);
      generated = model_->eventsGenerated();
    }
    spdlog::info("crnp-sim: simulator stopped after {} events ({} from the scenario)", generated,
                 scenarioEvents());
  }

  // Runs `operation` on the model on the strand, publishes its events, reports.
  template <class Operation>
  void run(std::string what, Operation operation, OperationCallback done) {
    asio::post(strand_, [self = shared_from_this(), what = std::move(what),
                         operation = std::move(operation), done = std::move(done)]() mutable {
      OperationOutcome outcome;
      if (!self->running_) {
        outcome.error = ModelError{ModelErrorKind::Unavailable, "the simulator is not running"};
        done(std::move(outcome));
        return;
      }
      ModelResult result;
      {
        std::lock_guard lock(self->modelMutex_);
        result = operation(*self->model_);
        outcome.view = self->viewLocked();
      }
      for (const auto& event : result.events) self->publish(event);
      if (result.error) {
        spdlog::info("crnp-sim: {} refused: {}", what, result.error->message);
      } else {
        spdlog::info("crnp-sim: {}: {} events", what, result.events.size());
      }
      outcome.error = std::move(result.error);
      outcome.events = result.events.size();
      done(std::move(outcome));
    });
  }

  void emit(Event event, std::function<void(EmitOutcome)> done) {
    asio::post(strand_, [self = shared_from_this(), event = std::move(event),
                         done = std::move(done)]() mutable {
      EmitOutcome outcome;
      if (!self->running_) {
        outcome.error = ModelError{ModelErrorKind::Unavailable, "the simulator is not running"};
      } else if (auto problem = validateEmittedEvent(event)) {
        outcome.error = ModelError{ModelErrorKind::InvalidArgument, std::move(*problem)};
      } else {
        {
          std::lock_guard lock(self->modelMutex_);
          outcome.sequence = self->model_->countExternalEvent();
        }
        outcome.clientsMatched = self->publish(event);
        spdlog::info("crnp-sim: emitted {}/{} to {} clients", event.eventClass, event.subclass,
                     outcome.clientsMatched);
      }
      done(std::move(outcome));
    });
  }

  void view(std::function<void(ClusterView)> done) {
    asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
      ClusterView view;
      if (self->model_) {
        std::lock_guard lock(self->modelMutex_);
        view = self->viewLocked();
      }
      done(std::move(view));
    });
  }

  void clients(std::function<void(std::vector<ClientInfo>)> done) {
    asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
      done(self->server_.clients());
    });
  }

  // Every emitted event goes out here (on the strand), stamped when configured.
  std::size_t publish(const Event& event) {
    if (!config_.stampEmission) return server_.publish(event);
    Event stamped = event;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    stamped.nvpairs.push_back(
        {kEmissionTimePair,
         {std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count())}});
    return server_.publish(stamped);
  }

  std::vector<Event> currentState() {
    std::lock_guard lock(modelMutex_);
    return model_->currentState();
  }

  ClusterView viewLocked() const {
    return ClusterView{model_->nodes(), model_->groups(), model_->eventsGenerated()};
  }

  std::uint64_t scenarioEvents() const { return driver_ ? driver_->eventsPublished() : 0; }

  CrnpServer& server() { return server_; }
  const SimulatorConfig& config() const { return config_; }

 private:
  const SimulatorConfig config_;
  const std::optional<std::string> configError_;
  asio::strand<asio::any_io_executor> strand_;
  CrnpServer server_;
  std::mutex modelMutex_;
  std::optional<ClusterModel> model_;
  std::optional<ScenarioDriver> driver_;  // created by start(), then only read
  std::atomic<bool> started_{false};
  std::atomic<bool> running_{false};
};

Simulator::Simulator(asio::any_io_executor executor, SimulatorConfig config)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {}

Simulator::~Simulator() { impl_->stop(); }

std::error_code Simulator::start() { return impl_->start(); }

void Simulator::stop() { impl_->stop(); }

CrnpServer& Simulator::server() { return impl_->server(); }

const SimulatorConfig& Simulator::config() const { return impl_->config(); }

void Simulator::setNodeState(std::string node, bool up, OperationCallback done) {
  std::string what = "node " + node + (up ? " up" : " down");
  impl_->run(
      std::move(what),
      [node = std::move(node), up](ClusterModel& model) {
        return up ? model.nodeUp(node) : model.nodeDown(node);
      },
      std::move(done));
}

void Simulator::switchover(std::string group, std::string node, OperationCallback done) {
  std::string what = "switchover " + group + " to " + node;
  impl_->run(
      std::move(what),
      [group = std::move(group), node = std::move(node)](ClusterModel& model) {
        return model.switchover(group, node);
      },
      std::move(done));
}

void Simulator::failResource(std::string resource, std::string node, ResourceFailure failure,
                             OperationCallback done) {
  std::string what =
      "fail " + resource + " on " + node +
      (failure == ResourceFailure::StartFailed ? " (START_FAILED)" : " (MONITOR_FAILED)");
  impl_->run(
      std::move(what),
      [resource = std::move(resource), node = std::move(node), failure](ClusterModel& model) {
        return model.failResource(resource, node, failure);
      },
      std::move(done));
}

void Simulator::recoverResource(std::string resource, std::string node, OperationCallback done) {
  std::string what = "recover " + resource + " on " + node;
  impl_->run(
      std::move(what),
      [resource = std::move(resource), node = std::move(node)](ClusterModel& model) {
        return model.recoverResource(resource, node);
      },
      std::move(done));
}

void Simulator::emit(Event event, std::function<void(EmitOutcome)> done) {
  impl_->emit(std::move(event), std::move(done));
}

void Simulator::view(std::function<void(ClusterView)> done) { impl_->view(std::move(done)); }

void Simulator::clients(std::function<void(std::vector<ClientInfo>)> done) {
  impl_->clients(std::move(done));
}

std::uint64_t Simulator::scenarioEvents() const { return impl_->scenarioEvents(); }

}  // namespace crnp::sim
