#pragma once
// The simulated Solaris Cluster as one object: a CrnpServer, the ClusterModel behind it and
// the scenario driving it. crnp-sim runs one; crnp-gateway --embedded-cluster embeds one.
//
// Threading: model operations and the publication of their events run on the simulator's
// strand, so every client sees events in the order the model generated them. The control
// operations below are thread-safe and never block: they post to the strand and report
// through `done`, which runs on the strand (gRPC reactors Finish from there). The executor
// must keep running until every pending operation has reported.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "crnp/messages.hpp"
#include "crnp/sim/cluster_model.hpp"
#include "crnp/sim/crnp_server.hpp"
#include "crnp/sim/scenario.hpp"
#include "crnp/sim/server_config.hpp"

namespace crnp::sim {

struct SimulatorConfig {
  ServerConfig server;
  ClusterConfig cluster;
  ScenarioConfig scenario;
  /// Adds kEmissionTimePair (the wall clock at publication, ns since the epoch) to every event
  /// the cluster emits, for benchmarks that measure latency from the cluster. Off: events are
  /// exactly what a real cluster sends.
  bool stampEmission = false;
};

/// The `ev_` pair --stamp-emission adds; like every ev_ pair, clients pass it through raw.
inline constexpr const char* kEmissionTimePair = "ev_emit_time_ns";

/// A message naming what is wrong with `config` (cluster layout, scenario rate), or nullopt.
std::optional<std::string> validate(const SimulatorConfig& config);

/// A copy of the cluster's state at one moment.
struct ClusterView {
  std::vector<ClusterNode> nodes;
  std::vector<ClusterResourceGroup> groups;
  std::uint64_t eventsGenerated = 0;
};

struct OperationOutcome {
  std::optional<ModelError> error;  ///< set when refused (nothing changed)
  ClusterView view;                 ///< the state after the operation
  std::size_t events = 0;           ///< events the operation published
};

struct EmitOutcome {
  std::optional<ModelError> error;
  std::uint64_t sequence = 0;      ///< the event's number among all generated events
  std::size_t clientsMatched = 0;  ///< clients it was queued for
};

class Simulator {
 public:
  using OperationCallback = std::function<void(OperationOutcome)>;

  Simulator(boost::asio::any_io_executor executor, SimulatorConfig config);
  ~Simulator();  ///< stops
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Seeds the server's latest events with the cluster's current state (so the first
  /// registration already gets snapshots), installs the current-state provider for recovery,
  /// starts the server, then the scenario. invalid_argument when the config fails validate().
  std::error_code start();
  /// Stops the scenario and the server; later operations report Unavailable. Idempotent.
  void stop();

  CrnpServer& server();
  const SimulatorConfig& config() const;

  void setNodeState(std::string node, bool up, OperationCallback done);
  void switchover(std::string group, std::string node, OperationCallback done);
  void failResource(std::string resource, std::string node, ResourceFailure failure,
                    OperationCallback done);
  void recoverResource(std::string resource, std::string node, OperationCallback done);
  /// Publishes an arbitrary event (checked by validateEmittedEvent) without changing the model.
  void emit(Event event, std::function<void(EmitOutcome)> done);
  void view(std::function<void(ClusterView)> done);
  void clients(std::function<void(std::vector<ClientInfo>)> done);

  /// Events the scenario driver has published (not counting control operations).
  std::uint64_t scenarioEvents() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

/// Why an event cannot be emitted (empty class or subclass, a pair without a name or value,
/// characters XML cannot carry, over the size limits), or nullopt.
std::optional<std::string> validateEmittedEvent(const Event& event);

}  // namespace crnp::sim
