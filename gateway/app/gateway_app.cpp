#include "gateway_app.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "config_defaults.hpp"
#include "crnp/address_filter.hpp"
#include "crnp/cluster_events.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/registration_client.hpp"
#include "crnp/sim/control_service.hpp"
#include "crnp/sim/simulator.hpp"
#include "crnp/structured_log.hpp"
#include "crnp_upstream.hpp"
#include "event_hub.hpp"
#include "event_log_store.hpp"
#include "event_log_writer.hpp"
#include "gateway_collector.hpp"
#include "gateway_service.hpp"
#include "grpc/health/v1/health.pb.h"
#include "grpc_security.hpp"
#include "grpc_server_metrics.hpp"
#include "logging_setup.hpp"
#include "metrics_endpoint.hpp"
#include "registration_service.hpp"
#include "registry.hpp"
#include "registry_store.hpp"
#include "replicated_deployment.hpp"
#include "serial_worker.hpp"
#include "subscription_manager.hpp"

namespace gateway {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* kGatewayServiceName = "crnp.gateway.v1.CrnpGateway";
constexpr std::string_view kComponent = "app";
constexpr int kAsioThreads = 2;
// At shutdown, once streams and registration changes are over, time left for their last
// messages to leave before the server cancels what remains.
constexpr std::chrono::milliseconds kFinalFlushGrace{500};

std::uint64_t seedOrRandom(std::uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

}  // namespace

class GatewayApp::Impl {
 public:
  explicit Impl(GatewayOptions options)
      : options_(std::move(options)), logFormat_(logFormatFromString(options_.logFormat)) {}

  std::optional<std::string> start();
  void shutdown();
  void runUntilSignalled();
  int grpcPort() const { return grpcPort_; }

 private:
  std::optional<std::string> startEventHub();
  std::optional<std::string> startEmbeddedCluster();
  std::optional<std::string> startUpstream();
  std::optional<std::string> upstreamConfig(UpstreamConfig& config);
  std::optional<std::string> startReplicatedDeployment();
  /// The CRNP upstream in use: the one of this process, or the current term's (nullptr on a
  /// follower).
  std::shared_ptr<CrnpUpstream> crnpUpstream() const {
    return deployment_ ? deployment_->crnpUpstream() : upstream_;
  }
  std::optional<std::string> startGrpc();
  std::optional<std::string> startMetrics();
  void armSecurityReload();
  void logUpstreamHealth(const UpstreamHealth& health);
  void setServing(bool serving);
  void announce(std::string_view what, std::string_view where) {
    announceListener(logFormat_, what, where);
  }

  GatewayOptions options_;
  LogFormat logFormat_;
  asio::io_context io_{kAsioThreads};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  // Installed first thing in start(): a SIGTERM that arrives while the gateway starts (it
  // announces its ports before runUntilSignalled) is queued, not the default action (death).
  std::optional<asio::signal_set> signals_;

  std::unique_ptr<GrpcSecurity> security_;
  std::optional<asio::steady_timer> securityReload_;  // the token file's reload checks
  std::atomic<bool> reloadStopped_{false};
  std::unique_ptr<crnp::sim::Simulator> simulator_;
  std::unique_ptr<crnp::sim::ControlService> simControl_;
  etcd::EtcdClientPtr etcd_;  // --store etcd: the client the registry (and later HA) uses
  std::unique_ptr<Registry> registry_;
  // Hands ingested events to the streams, so that the upstream's Asio threads (callback I/O)
  // spend O(1) per event however many streams are open.
  SerialWorker fanoutWorker_;
  // The hub's journal under --data-dir (none with --data-dir ""); outlives the hub.
  std::unique_ptr<EventLogWriter> eventLog_;
  std::unique_ptr<EventHub> hub_;
  std::shared_ptr<CrnpUpstream> upstream_;  // one replica: this process's CRNP registration
  // --store etcd: the replicated deployment (leader election, the event log in etcd, ...)
  // and where its log is followed from.
  std::unique_ptr<ReplicatedDeployment> deployment_;
  std::int64_t logRevision_ = 0;
  Upstream* upstreamView_ = nullptr;  // what the registration and gRPC services see
  std::unique_ptr<SubscriptionManager> subscriptions_;
  SerialWorker registrationWorker_;  // registry writes (fsync) never run on Asio or gRPC threads
  std::unique_ptr<RegistrationService> registrations_;
  std::unique_ptr<GatewayService> service_;
  // Metrics: the registry of the gRPC interceptor's series and the gateway's collector,
  // served by the endpoint (which must go before what its collector reads: it is declared
  // after them, and destroyed first).
  std::shared_ptr<prometheus::Registry> metricsRegistry_ = std::make_shared<prometheus::Registry>();
  GrpcServerMetrics grpcMetrics_{*metricsRegistry_};
  std::shared_ptr<GatewayCollector> collector_;
  MetricsEndpoint metricsEndpoint_;
  std::unique_ptr<grpc::Server> server_;
  int grpcPort_ = 0;

  std::mutex healthMutex_;  // orders SetServingStatus calls against shutdown
  bool stopping_ = false;
  bool started_ = false;
};

std::optional<std::string> GatewayApp::Impl::start() {
  signals_.emplace(io_, SIGTERM, SIGINT);
  work_.emplace(io_.get_executor());
  for (int i = 0; i < kAsioThreads; ++i) threads_.emplace_back([this] { io_.run(); });
  started_ = true;

  auto opened = openRegistryStore(options_);
  if (!opened.registry) return "cannot open the registration store: " + opened.error;
  registry_ = std::move(opened.registry);
  etcd_ = std::move(opened.etcd);

  std::string securityError;
  security_ = GrpcSecurity::create(options_, securityError);
  if (!security_) return securityError;

  if (options_.embeddedCluster) {
    if (auto error = startEmbeddedCluster()) return error;
  }

  if (etcd_) {
    if (auto error = startReplicatedDeployment()) return error;
  }
  if (auto error = startEventHub()) return error;

  SubscriptionConfig streams;
  streams.maxQueueEvents = options_.streamQueueEvents;
  streams.maxQueueBytes = options_.streamQueueBytes;
  streams.maxStreamAge = options_.maxStreamAge;
  streams.maxStreams = options_.maxStreams;
  subscriptions_ = std::make_unique<SubscriptionManager>(
      *hub_, [this](const std::string& id) { return registry_->typesOf(id); }, streams,
      RegistrationLimits{}, grpcMetrics_.streamObserver());

  if (auto error = startUpstream()) return error;

  RegistrationService::Options registrationOptions;
  if (options_.watchClusterState) {
    // The whole class: CRNP accepts rg_state / r_state subscriptions only per named group or
    // resource, and the gateway cannot know their names before the cluster tells it.
    registrationOptions.ownTypes.push_back({std::string(crnp::kClusterClass), "", {}});
  }
  registrationOptions.onChange = [this](const std::string& id,
                                        const std::optional<std::vector<crnp::EventType>>& types) {
    subscriptions_->registrationChanged(id, types);
  };
  registrations_ = std::make_unique<RegistrationService>(
      *registry_, *upstreamView_, registrationWorker_.executor(), std::move(registrationOptions));
  // Changes another replica made (through the leader) reach this replica's streams too.
  registry_->setRemoteChangeListener(
      [this](const std::string& id, const std::optional<std::vector<crnp::EventType>>& types) {
        subscriptions_->registrationChanged(id, types);
      });

  if (auto error = startMetrics()) return error;

  if (deployment_) {
    // The leader restores the registrations upstream when it is elected.
    deployment_->start(*hub_, logRevision_ + 1, *registrations_);
  } else {
    // The stored registrations: the upstream registers them and retries until the cluster
    // confirms them (health says how that goes); ordered before any client's change.
    registrations_->restore([](const RegistrationService::RestoreResult&) {});
  }

  if (auto error = startGrpc()) return error;

  return std::nullopt;
}

// The hub continues from the event log: epoch, numbering, events kept for resume, the latest
// event of each type (so the cluster's answer to the re-registration is suppressed when it
// repeats what was kept).
std::optional<std::string> GatewayApp::Impl::startEventHub() {
  EventHubConfig hubConfig;
  hubConfig.ringCapacity = options_.ringEvents;
  hubConfig.ringBytes = options_.ringBytes;
  std::optional<RecoveredEvents> recovered;
  if (deployment_) {
    // Every replica numbers events by their etcd revision in the shared log: no local journal.
    auto loaded = deployment_->loadEventLog(hubConfig.ringCapacity);
    if (!loaded) return "cannot read the event log in etcd: " + loaded.error().message;
    logRevision_ = loaded.value().revision;
    recovered = std::move(loaded.value().recovered);
  } else if (!options_.dataDir.empty()) {
    const EventLogBounds bounds{hubConfig.ringCapacity, hubConfig.ringBytes,
                                hubConfig.maxLatestKeys};
    auto opened = EventLogStore::open(options_.dataDir, bounds, kEventLogReserveAhead);
    if (!opened.store) return "cannot open the event log: " + opened.error;
    recovered = std::move(opened.recovered);
    eventLog_ = std::make_unique<EventLogWriter>(std::move(opened.store), kEventLogMaxQueued,
                                                 kEventLogReserveAhead);
  }
  hub_ = std::make_unique<EventHub>(
      hubConfig, [this] { fanoutWorker_.post([this] { hub_->deliverPending(); }); },
      eventLog_.get(), std::move(recovered));
  return std::nullopt;
}

std::optional<std::string> GatewayApp::Impl::startEmbeddedCluster() {
  crnp::sim::SimulatorConfig config;
  config.server.listen = tcp::endpoint(asio::ip::address_v4::loopback(), 0);
  config.server.allowHosts = "127.0.0.1/32";
  // A gateway that is briefly unreachable should be retried soon, not after half an hour.
  config.server.clientRetryInterval = std::chrono::seconds(5);
  auto kind = crnp::sim::scenarioKindFromString(options_.embeddedScenario);
  config.scenario.kind = kind.value_or(crnp::sim::ScenarioKind::Random);
  config.scenario.eventRate = options_.embeddedEventRate;
  config.scenario.seed = seedOrRandom(options_.embeddedSeed);
  simulator_ = std::make_unique<crnp::sim::Simulator>(io_.get_executor(), config);
  if (auto ec = simulator_->start()) return "embedded cluster failed to start: " + ec.message();
  const auto endpoint = simulator_->server().localEndpoint();
  announce("embedded CRNP cluster", crnp::toString(endpoint));
  options_.crnpServers = {crnp::toString(endpoint)};
  // On the gateway's port: the same checks as the gateway's own methods (write tokens only).
  simControl_ =
      std::make_unique<crnp::sim::ControlService>(*simulator_, security_->simControlGuard());
  return std::nullopt;
}

std::optional<std::string> GatewayApp::Impl::upstreamConfig(UpstreamConfig& config) {
  for (const auto& text : options_.crnpServers) {
    auto server = crnp::ServerAddress::parse(text);
    if (!server) return "--crnp-server '" + text + "' is not host:port";
    config.servers.push_back(*server);
  }
  auto callback = crnp::parseEndpoint(options_.callbackListen);
  if (!callback) return "--callback-listen '" + options_.callbackListen + "' is not ip:port";
  config.callbackListen = *callback;
  if (options_.embeddedCluster && options_.callbackListen == GatewayOptions{}.callbackListen) {
    // The embedded cluster calls back over loopback; do not expose the callback port.
    config.callbackListen = tcp::endpoint(asio::ip::address_v4::loopback(), callback->port());
  }
  if (!options_.registrationSource.empty()) {
    boost::system::error_code ec;
    config.registrationSource = asio::ip::make_address(options_.registrationSource, ec);
    if (ec) return "--registration-source '" + options_.registrationSource + "' is not an IP";
  }
  if (!options_.callbackAllow.empty()) {
    std::string error;
    auto filter = crnp::AddressFilter::parse(options_.callbackAllow, &error);
    if (!filter) return "--callback-allow: " + error;
    config.allowedCallbackSources = std::move(*filter);
  }
  config.client.connectTimeout = options_.connectTimeout;
  config.client.replyTimeout = options_.replyTimeout;
  config.reregisterInterval = options_.reregisterInterval;
  config.silenceThreshold = options_.silenceThreshold;
  config.callbackMaxConnections = options_.callbackMaxConnections;
  config.callbackMaxConnectionsPerPeer = options_.callbackMaxConnectionsPerPeer;
  config.callbackFirstByteTimeout = options_.callbackFirstByteTimeout;
  config.callbackReadTimeout = options_.callbackReadTimeout;
  return std::nullopt;
}

void GatewayApp::Impl::logUpstreamHealth(const UpstreamHealth& health) {
  if (health.healthy) {
    crnp::slog::info("upstream", "healthy", {{"server", health.server}});
  } else {
    crnp::slog::warn("upstream", "unhealthy", {{"error", health.lastError}});
  }
  setServing(health.healthy);
}

std::optional<std::string> GatewayApp::Impl::startUpstream() {
  if (deployment_) return std::nullopt;  // the leader starts one per term
  UpstreamConfig config;
  if (auto error = upstreamConfig(config)) return error;
  upstream_ = std::make_shared<CrnpUpstream>(
      io_.get_executor(), std::move(config), [this](crnp::Event event) {
        // nullptr back: a repeat of the current state (the cluster answers each periodic
        // re-registration with the latest event of every type), not published; the hub counts it.
        hub_->ingest(std::move(event), std::chrono::system_clock::now());
      });
  upstreamView_ = upstream_.get();
  upstream_->setHealthListener([this](const UpstreamHealth& health) { logUpstreamHealth(health); });
  if (auto ec = upstream_->start()) return "CRNP upstream failed to start: " + ec.message();
  announce("callback", crnp::toString(upstream_->callbackEndpoint()));
  return std::nullopt;
}

// --store etcd. The options are checked here, before anything listens: a term's upstream is
// built from them later, when this replica is elected.
std::optional<std::string> GatewayApp::Impl::startReplicatedDeployment() {
  UpstreamConfig checked;
  if (auto error = upstreamConfig(checked)) return error;
  ReplicatedDeployment::Settings settings;
  settings.prefix = options_.etcdPrefix;
  settings.replicaName = options_.replicaName;
  if (settings.replicaName.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) settings.replicaName = host;
  }
  if (settings.replicaName.empty()) return "--replica-name is empty and the host has no name";
  settings.leaseTtl = std::chrono::duration_cast<std::chrono::seconds>(options_.leaderLeaseTtl);
  settings.log.logEvents = options_.ringEvents;
  settings.removeClientWait = options_.connectTimeout + options_.replyTimeout;
  deployment_ = std::make_unique<ReplicatedDeployment>(
      etcd_, std::move(settings), io_.get_executor(),
      [this](CrnpUpstream::EventSink sink) -> std::shared_ptr<CrnpUpstream> {
        UpstreamConfig config;
        if (auto error = upstreamConfig(config)) return nullptr;  // checked at start
        auto upstream =
            std::make_shared<CrnpUpstream>(io_.get_executor(), std::move(config), std::move(sink));
        if (auto ec = upstream->start()) {
          crnp::slog::error(kComponent, "CRNP upstream failed to start", {{"error", ec.message()}});
          return nullptr;
        }
        announce("callback", crnp::toString(upstream->callbackEndpoint()));
        return upstream;
      });
  upstreamView_ = &deployment_->upstream();
  deployment_->upstream().setHealthListener(
      [this](const UpstreamHealth& health) { logUpstreamHealth(health); });
  return std::nullopt;
}

std::optional<std::string> GatewayApp::Impl::startMetrics() {
  if (options_.metricsListen.empty() || options_.metricsListen == "off") return std::nullopt;
  MetricsSources sources;
  sources.upstreamHealth = [this] { return upstreamView_->health(); };
  sources.upstreamStats = [this] {
    auto crnp = crnpUpstream();
    return crnp ? crnp->stats() : UpstreamStats{};
  };
  sources.callbackStats = [this] {
    auto crnp = crnpUpstream();
    return crnp ? crnp->callbackStats() : crnp::CallbackListenerStats{};
  };
  sources.registrations = [this] { return registry_->size(); };
  sources.streams = [this] { return subscriptions_->stats(); };
  sources.hub = hub_.get();
  if (eventLog_) sources.eventLog = [this] { return eventLog_->stats(); };
  if (deployment_) sources.replication = [this] { return deployment_->stats(); };
  collector_ = std::make_shared<GatewayCollector>(std::move(sources));
  if (auto error = metricsEndpoint_.start(options_.metricsListen, {metricsRegistry_, collector_})) {
    return error;
  }
  const auto colon = options_.metricsListen.rfind(':');
  std::string host = options_.metricsListen.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";  // ":9090": every address
  announce("metrics",
           "http://" + host + ":" + std::to_string(metricsEndpoint_.port()) + "/metrics");
  return std::nullopt;
}

std::optional<std::string> GatewayApp::Impl::startGrpc() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  service_ = std::make_unique<GatewayService>(*registrations_, *hub_, *upstreamView_,
                                              *subscriptions_, security_->authorizer());
  if (deployment_) {
    service_->setDeployment(
        deployment_->changes(),
        [this](crnp::gateway::v1::DeploymentStatus* out) { deployment_->describe(out, *hub_); });
  }

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.grpcListen, security_->credentials(), &grpcPort_);
  builder.RegisterService(service_.get());
  if (simControl_) builder.RegisterService(simControl_.get());
  // Keepalive: find dead clients within about a minute and a half; clients may ping every
  // --keepalive-min-ping-interval without being told off (GOAWAY too_many_pings).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             options_.keepalivePermitWithoutCalls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_cast<int>(options_.keepaliveMinPingInterval.count()));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             static_cast<int>(options_.maxStreamsPerConnection));
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.maxReceiveMessageBytes));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(grpcMetrics_.interceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || grpcPort_ == 0) {
    return "cannot listen for gRPC on '" + options_.grpcListen + "'";
  }
  const auto colon = options_.grpcListen.rfind(':');
  announce("gRPC", options_.grpcListen.substr(0, colon) + ":" + std::to_string(grpcPort_));
  setServing(upstreamView_->health().healthy);
  armSecurityReload();
  return std::nullopt;
}

// The TLS files are re-read by gRPC's own watcher; the token file by this timer, on the same
// interval. A check reads a small file and hashes it: fine on an Asio thread.
void GatewayApp::Impl::armSecurityReload() {
  if (!security_->reloads()) return;
  if (!securityReload_) securityReload_.emplace(io_);
  securityReload_->expires_after(options_.securityReloadInterval);
  securityReload_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || reloadStopped_) return;
    security_->reloadTokens();
    armSecurityReload();
  });
}

// Reflection serves only descriptors linked into the binary; nothing else references the
// health messages, so without this the linker drops them and grpcurl cannot describe Health.
[[maybe_unused]] const auto* const kLinkHealthDescriptor =
    grpc::health::v1::HealthCheckRequest::descriptor();

void GatewayApp::Impl::setServing(bool serving) {
  std::lock_guard lock(healthMutex_);
  if (!server_ || stopping_) return;
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  health->SetServingStatus(kGatewayServiceName, serving);
}

void GatewayApp::Impl::shutdown() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard lock(healthMutex_);
    stopping_ = true;
    if (server_) server_->GetHealthCheckService()->Shutdown();  // NOT_SERVING, and stays so
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdownTimeout;
  reloadStopped_ = true;  // the timer's next run ends the loop; io_.stop() ends the wait
  if (subscriptions_) subscriptions_->shutdown();  // going_away + resume token to every stream
  if (deployment_) deployment_->stopCarryingOutChanges();
  if (registrations_) registrations_->shutdown();
  if (subscriptions_ && !subscriptions_->waitUntilIdle(deadline)) {
    crnp::slog::warn(kComponent, "streams still open at the shutdown deadline; cancelling them");
  }
  if (registrations_ && !registrations_->waitUntilIdle(deadline)) {
    // The change waits for its upstream exchange (up to the connect and reply timeouts).
    // Stopping the upstream answers it now (UNAVAILABLE); nothing is stored for it.
    crnp::slog::warn(kComponent,
                     "a registration change is still running at the shutdown deadline; ending it");
    if (upstream_) upstream_->stop();
    if (deployment_) deployment_->stop();
  }
  if (server_) {
    // Streams and changes are over (or cut off). What is left is flushing their last messages
    // and idle clients closing their connections after the GOAWAY, which a client that is not
    // polling notices late (gRPC C++: up to 5 s); the whole deadline is not worth it.
    const auto left = std::clamp(deadline - std::chrono::steady_clock::now(),
                                 std::chrono::steady_clock::duration::zero(),
                                 std::chrono::steady_clock::duration(kFinalFlushGrace));
    server_->Shutdown(std::chrono::system_clock::now() + left);
    server_->Wait();
  }
  if (upstream_) upstream_->stop();
  if (deployment_) deployment_->stop();  // steps down (REMOVE_CLIENT) and stops following
  fanoutWorker_.stop();                  // after the upstream: no event is ingested any more
  if (eventLog_) eventLog_->stop();      // writes what is queued and marks a clean stop
  registrationWorker_.stop();            // after the upstream: its last answers run queued tasks
  if (simulator_) simulator_->stop();
  work_.reset();
  io_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  crnp::slog::info(kComponent, "crnp-gateway stopped");
}

void GatewayApp::Impl::runUntilSignalled() {
  std::promise<int> signalled;
  if (!signals_) signals_.emplace(io_, SIGTERM, SIGINT);
  signals_->async_wait([&signalled](const boost::system::error_code& ec, int number) {
    signalled.set_value(ec ? 0 : number);
  });
  const int number = signalled.get_future().get();
  crnp::slog::info(kComponent, "shutting down", {{"signal", number}});
  shutdown();
}

GatewayApp::GatewayApp(GatewayOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
GatewayApp::~GatewayApp() { impl_->shutdown(); }
std::optional<std::string> GatewayApp::start() {
  auto error = impl_->start();
  if (error) impl_->shutdown();
  return error;
}
void GatewayApp::shutdown() { impl_->shutdown(); }
void GatewayApp::runUntilSignalled() { impl_->runUntilSignalled(); }
int GatewayApp::grpcPort() const { return impl_->grpcPort(); }

}  // namespace gateway
