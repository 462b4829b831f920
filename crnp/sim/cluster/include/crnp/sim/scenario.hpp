#pragma once
// Drives the simulated cluster on its own: "none" (events only come from the control API),
// "random" (plausible random operations at a steady event rate, reproducible from a seed) or
// "flood" (as fast as possible, yielding to the executor between batches; for benchmarks).
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "crnp/messages.hpp"

namespace crnp::sim {

enum class ScenarioKind { None, Random, Flood };

/// "none", "random", "flood"; nullopt for anything else.
std::optional<ScenarioKind> scenarioKindFromString(std::string_view text);
std::string_view toString(ScenarioKind kind);

struct ScenarioConfig {
  ScenarioKind kind = ScenarioKind::None;
  double eventRate = 10.0;       ///< random: events per second (> 0)
  std::uint64_t seed = 1;        ///< random and flood: the same seed gives the same events
  std::size_t floodBatch = 256;  ///< flood: events published per turn before yielding
};

/// Produces the events of one step (empty when nothing can happen now).
using EventSource = std::function<std::vector<Event>(std::mt19937_64& random)>;
/// Receives every event, in order.
using EventSink = std::function<void(const Event& event)>;

class ScenarioDriver {
 public:
  /// `executor` must serialise the driver with everything else that uses the source (a
  /// strand); source and sink run on it.
  ScenarioDriver(boost::asio::any_io_executor executor, ScenarioConfig config, EventSource source,
                 EventSink sink);
  ~ScenarioDriver();  ///< stops
  ScenarioDriver(const ScenarioDriver&) = delete;
  ScenarioDriver& operator=(const ScenarioDriver&) = delete;

  /// Begins producing events (nothing for ScenarioKind::None). Any thread; once.
  void start();
  /// Cancels the pacing timer; a step being published on another thread at that moment
  /// completes, no further step starts. Idempotent, any thread.
  void stop();
  /// Events handed to the sink so far. Thread-safe.
  std::uint64_t eventsPublished() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace crnp::sim
