// ScenarioDriver: a steady_timer paces the random scenario by deadlines (no drift); the flood
// scenario re-posts itself after each batch so other handlers on the executor still run.
#include "crnp/sim/scenario.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <utility>

namespace crnp::sim {

namespace asio = boost::asio;

namespace {
constexpr std::array<std::pair<ScenarioKind, std::string_view>, 3> kScenarioNames{{
    {ScenarioKind::None, "none"},
    {ScenarioKind::Random, "random"},
    {ScenarioKind::Flood, "flood"},
}};
// A random scenario that fell behind (a stalled executor) resumes from now instead of
// publishing the whole backlog at once.
constexpr std::chrono::seconds kMaxLag{1};
}  // namespace

std::optional<ScenarioKind> scenarioKindFromString(std::string_view text) {
  for (const auto& [kind, name] : kScenarioNames) {
    if (name == text) return kind;
  }
  return std::nullopt;
}

std::string_view toString(ScenarioKind kind) {
  for (const auto& [value, name] : kScenarioNames) {
    if (value == kind) return name;
  }
  return "unknown";
}

class ScenarioDriver::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, ScenarioConfig config, EventSource source, EventSink sink)
      : executor_(std::move(executor)),
        config_(config),
        source_(std::move(source)),
        sink_(std::move(sink)),
        random_(config.seed),
        timer_(executor_) {}

  void start() {
    if (config_.kind == ScenarioKind::None) return;
    asio::post(executor_, [self = shared_from_this()] {
      if (self->stopped_) return;
      if (self->config_.kind == ScenarioKind::Random) {
        self->next_ = std::chrono::steady_clock::now();
        self->randomTick();
      } else {
        self->floodTurn();
      }
    });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
  }

  std::uint64_t published() const { return published_.load(std::memory_order_relaxed); }

 private:
  // Publishes one step, then waits until its events are "paid for" at the configured rate.
  void randomTick() {
    if (stopped_) return;
    const auto events = source_(random_);
    publish(events);
    const std::chrono::duration<double> perEvent(1.0 / config_.eventRate);
    const auto spent = perEvent * static_cast<double>(events.empty() ? 1 : events.size());
    next_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(spent);
    const auto now = std::chrono::steady_clock::now();
    if (next_ < now - kMaxLag) next_ = now;
    timer_.expires_at(next_);
    timer_.async_wait([self = shared_from_this()](const std::error_code& ec) {
      if (!ec) self->randomTick();
    });
  }

  void floodTurn() {
    std::size_t batch = 0;
    while (!stopped_ && batch < config_.floodBatch) {
      const auto events = source_(random_);
      if (events.empty()) {
        spdlog::warn("crnp-sim: flood scenario stopped: the cluster allows no operation");
        return;
      }
      publish(events);
      batch += events.size();
    }
    if (!stopped_) asio::post(executor_, [self = shared_from_this()] { self->floodTurn(); });
  }

  void publish(const std::vector<Event>& events) {
    for (const auto& event : events) {
      if (stopped_) return;
      sink_(event);
      published_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  asio::any_io_executor executor_;
  const ScenarioConfig config_;
  EventSource source_;
  EventSink sink_;
  std::mt19937_64 random_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point next_{};
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> published_{0};
};

ScenarioDriver::ScenarioDriver(asio::any_io_executor executor, ScenarioConfig config,
                               EventSource source, EventSink sink)
    : impl_(std::make_shared<Impl>(std::move(executor), config, std::move(source),
                                   std::move(sink))) {}

ScenarioDriver::~ScenarioDriver() { impl_->stop(); }

void ScenarioDriver::start() { impl_->start(); }

void ScenarioDriver::stop() { impl_->stop(); }

std::uint64_t ScenarioDriver::eventsPublished() const { return impl_->published(); }

}  // namespace crnp::sim
