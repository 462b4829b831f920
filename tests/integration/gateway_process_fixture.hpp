#pragma once
// GatewayProcessFixture: a real crnp-sim and a real crnp-gateway on loopback, as processes,
// with gRPC stubs for both, for the gateway's end-to-end tests. Ports come from the logs (every
// listener binds port 0, except a restarted sim, which takes its predecessor's port).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "crnp/sim/v1/control.grpc.pb.h"
#include "eventually.hpp"
#include "stream_reader.hpp"
#include "temp_dir.hpp"

namespace crnp::integration {

using namespace std::chrono_literals;
namespace gw = crnp::gateway::v1;
namespace sim = crnp::sim::v1;

inline constexpr auto kStartDeadline = 20s;  // a loaded 2-core machine starts processes slowly
inline constexpr auto kRpcDeadline = 15s;
inline constexpr std::chrono::milliseconds kConvergeDeadline{30000};

inline std::unique_ptr<grpc::ClientContext> contextWithDeadline(
    std::chrono::milliseconds timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(kRpcDeadline)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

inline gw::EventType eventType(const std::string& eventClass, const std::string& subclass = "") {
  gw::EventType type;
  type.set_event_class(eventClass);
  type.set_subclass(subclass);
  return type;
}

/// A type nothing publishes, for registrations whose answer is lost: the simulator sends no
/// current-state event for it, and an event of a registered type arriving before the failure is
/// known would prove that the registration took effect (the gateway then rightly answers OK).
inline gw::EventType neverEmittedType() {
  return eventType("EC_Cluster", "ESC_cluster_never_emitted");
}

class GatewayProcessFixture : public ::testing::Test {
 protected:
  using Args = std::vector<std::string>;

  // Channels go before their servers: an idle C++ client notices a server's GOAWAY only at its
  // backup poll (5 s), and a gRPC server's shutdown waits for its connections to close.
  void TearDown() override {
    gatewayStub_.reset();
    gateway_.reset();
    control_.reset();
    sim_.reset();
  }

  /// `overrides` are flag/value pairs: a flag `args` already has gets the new value (a repeated
  /// single-value flag is a command-line error), others are appended.
  static Args withOverrides(Args args, const Args& overrides) {
    for (std::size_t i = 0; i + 1 < overrides.size(); i += 2) {
      auto known = std::find(args.begin(), args.end(), overrides[i]);
      if (known != args.end()) {
        *(known + 1) = overrides[i + 1];
      } else {
        args.push_back(overrides[i]);
        args.push_back(overrides[i + 1]);
      }
    }
    return args;
  }

  /// Starts crnp-sim; `crnpListen` "127.0.0.1:0" picks a port, a fixed one restarts in place.
  /// `overrides` as in withOverrides (e.g. a wider --allow-hosts).
  void startSim(const std::string& crnpListen = "127.0.0.1:0", const Args& overrides = {}) {
    Args args{"--listen",
              crnpListen,
              "--control-listen",
              "127.0.0.1:0",
              "--allow-hosts",
              "127.0.0.1/32",
              "--client-timeout",
              "500ms",
              "--client-retry-count",
              "1",
              "--client-retry-interval",
              "200ms",
              "--scenario",
              "none"};
    sim_ = std::make_unique<testing::ChildProcess>(CRNP_BIN_DIR "/crnp-sim",
                                                   withOverrides(std::move(args), overrides));
    auto crnp =
        sim_->waitForLine(std::regex(R"(registration listening on ([\d.]+:\d+))"), kStartDeadline);
    ASSERT_TRUE(crnp) << sim_->output();
    auto control =
        sim_->waitForLine(std::regex(R"(control listening on ([\d.]+:\d+))"), kStartDeadline);
    ASSERT_TRUE(control) << sim_->output();
    simCrnpAddress_ = (*crnp)[1];
    simControlAddress_ = (*control)[1];
    control_ = sim::SimControl::NewStub(
        grpc::CreateChannel(simControlAddress_, grpc::InsecureChannelCredentials()));
  }

  /// Gateway flags with short timers.
  Args gatewayArgs(const std::string& crnpServer) const {
    return {"--grpc-listen",
            "127.0.0.1:0",
            "--crnp-server",
            crnpServer,
            "--callback-listen",
            "127.0.0.1:0",
            "--data-dir",
            dataDir_.string(),
            "--reply-timeout",
            "1s",
            "--connect-timeout",
            "1s",
            "--reregister-interval",
            "1s",
            "--shutdown-timeout",
            "5s",
            "--metrics-listen",
            "127.0.0.1:0",
            "--watch-cluster-state",
            "false"};
  }

  /// `overrides` replace or extend gatewayArgs (see withOverrides); `switches` (flags without a
  /// value) are appended as they are.
  void startGateway(const Args& overrides = {}, std::optional<std::string> crnpServer = {},
                    const Args& switches = {}) {
    Args args = withOverrides(gatewayArgs(crnpServer.value_or(simCrnpAddress_)), overrides);
    args.insert(args.end(), switches.begin(), switches.end());
    gateway_ = std::make_unique<testing::ChildProcess>(CRNP_BIN_DIR "/crnp-gateway", args);
    auto grpcLine =
        gateway_->waitForLine(std::regex(R"(gRPC listening on ([^\s"]+:\d+))"), kStartDeadline);
    ASSERT_TRUE(grpcLine) << gateway_->output();
    gatewayAddress_ = (*grpcLine)[1];
    auto callbackLine =
        gateway_->waitForLine(std::regex(R"(callback listening on ([^\s"]+:\d+))"), kStartDeadline);
    ASSERT_TRUE(callbackLine) << gateway_->output();
    callbackAddress_ = (*callbackLine)[1];
    auto metricsLine = gateway_->waitForLine(
        std::regex(R"(metrics listening on http://(\S+:\d+)/metrics)"), kStartDeadline);
    ASSERT_TRUE(metricsLine) << gateway_->output();
    metricsAddress_ = (*metricsLine)[1];
    gatewayStub_ = gw::CrnpGateway::NewStub(
        grpc::CreateChannel(gatewayAddress_, grpc::InsecureChannelCredentials()));
  }

  void startBoth(const Args& gatewayExtra = {}) {
    ASSERT_NO_FATAL_FAILURE(startSim());
    ASSERT_NO_FATAL_FAILURE(startGateway(gatewayExtra));
  }

  /// SIGTERM and wait for a clean exit (0), after dropping the channel to it (see TearDown).
  void stopGateway() {
    gatewayStub_.reset();
    stop(gateway_);
  }
  void stopSim() {
    control_.reset();
    stop(sim_);
  }

  static void stop(std::unique_ptr<testing::ChildProcess>& process) {
    if (!process) return;
    process->sendSignal(SIGTERM);
    auto status = process->waitExit(kStartDeadline);
    EXPECT_TRUE(status && status->exitedWith(0))
        << (status ? status->describe() : "still running") << "\n"
        << process->output();
    process.reset();
  }

  /// A stub on a connection of its own with a small, fixed HTTP/2 receive window (no BDP
  /// probing, which would otherwise let the transport absorb megabytes on loopback): a stream on
  /// it that is not read stalls the gateway's writes after a few tens of kilobytes.
  std::unique_ptr<gw::CrnpGateway::Stub> stallingStub() const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
    return gw::CrnpGateway::NewStub(
        grpc::CreateCustomChannel(gatewayAddress_, grpc::InsecureChannelCredentials(), args));
  }

  grpc::Status registerTypes(const std::string& id, const std::vector<gw::EventType>& types,
                             gw::Registration* out = nullptr) {
    return registerTypes(*gatewayStub_, id, types, out);
  }
  /// The same on a gateway of the test's choice (one of several replicas).
  static grpc::Status registerTypes(gw::CrnpGateway::Stub& stub, const std::string& id,
                                    const std::vector<gw::EventType>& types,
                                    gw::Registration* out = nullptr) {
    gw::RegisterRequest request;
    request.set_registration_id(id);
    for (const auto& type : types) *request.add_event_types() = type;
    gw::Registration ignored;
    return stub.Register(contextWithDeadline().get(), request, out ? out : &ignored);
  }

  grpc::Status getRegistration(const std::string& id, gw::Registration* out) {
    return getRegistration(*gatewayStub_, id, out);
  }
  static grpc::Status getRegistration(gw::CrnpGateway::Stub& stub, const std::string& id,
                                      gw::Registration* out) {
    gw::GetRegistrationRequest request;
    request.set_registration_id(id);
    return stub.GetRegistration(contextWithDeadline().get(), request, out);
  }

  sim::ListClientsResponse listClients() {
    sim::ListClientsResponse response;
    grpc::Status status = control_->ListClients(contextWithDeadline().get(), {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  /// True when the sim holds a client whose callback address is this gateway's.
  bool simKnowsGateway() {
    const auto response = listClients();  // the loop must not outlive a temporary's member
    for (const auto& client : response.clients()) {
      if (client.address() == callbackAddress_) return true;
    }
    return false;
  }

  grpc::Status injectFault(sim::InjectFaultRequest::Kind kind, std::uint32_t count,
                           const std::string& replyCode = "") {
    sim::InjectFaultRequest request;
    request.set_kind(kind);
    request.set_count(count);
    request.set_reply_code(replyCode);
    sim::InjectFaultResponse response;
    return control_->InjectFault(contextWithDeadline().get(), request, &response);
  }

  /// The simulator answers the next registration `delay` late (it registers at once).
  grpc::Status delayNextReply(std::chrono::milliseconds delay) {
    sim::InjectFaultRequest request;
    request.set_kind(sim::InjectFaultRequest::DELAY_REPLY);
    request.set_count(1);
    request.set_delay_ms(static_cast<std::uint32_t>(delay.count()));
    sim::InjectFaultResponse response;
    return control_->InjectFault(contextWithDeadline().get(), request, &response);
  }

  grpc::Status clearFaults() {
    sim::ClearFaultsResponse response;
    return control_->ClearFaults(contextWithDeadline().get(), {}, &response);
  }

  /// Emits one membership-class event with a marker pair, so a test can recognise it.
  sim::EmitEventResponse emitMarked(const std::string& marker) {
    sim::EmitEventRequest request;
    request.set_event_class("EC_Cluster");
    request.set_subclass("ESC_cluster_test_marker");
    auto* pair = request.add_nvpairs();
    pair->set_name("marker");
    pair->add_values(marker);
    sim::EmitEventResponse response;
    grpc::Status status = control_->EmitEvent(contextWithDeadline().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::unique_ptr<StreamReader> subscribe(const std::string& id,
                                          const std::string& resumeToken = "",
                                          std::chrono::milliseconds heartbeat = 0ms) {
    return subscribe(*gatewayStub_, id, resumeToken, heartbeat);
  }
  static std::unique_ptr<StreamReader> subscribe(gw::CrnpGateway::Stub& stub, const std::string& id,
                                                 const std::string& resumeToken = "",
                                                 std::chrono::milliseconds heartbeat = 0ms) {
    gw::SubscribeRequest request;
    request.set_registration_id(id);
    request.set_resume_token(resumeToken);
    if (heartbeat > 0ms) {
      request.mutable_heartbeat_interval()->set_seconds(heartbeat.count() / 1000);
      request.mutable_heartbeat_interval()->set_nanos(
          static_cast<std::int32_t>((heartbeat.count() % 1000) * 1'000'000));
    }
    return std::make_unique<StreamReader>(stub, request);
  }

  testing::TempDir dataDir_;
  std::unique_ptr<testing::ChildProcess> sim_;
  std::unique_ptr<testing::ChildProcess> gateway_;
  std::string simCrnpAddress_;
  std::string simControlAddress_;
  std::string gatewayAddress_;
  std::string callbackAddress_;
  std::string metricsAddress_;  ///< host:port of /metrics
  std::unique_ptr<sim::SimControl::Stub> control_;
  std::unique_ptr<gw::CrnpGateway::Stub> gatewayStub_;
};

/// The marker value of an event emitted by emitMarked, or "" for any other event.
inline std::string markerOf(const gw::ClusterEvent& event) {
  for (const auto& pair : event.nvpairs()) {
    if (pair.name() == "marker" && pair.values_size() > 0) return pair.values(0);
  }
  return "";
}

}  // namespace crnp::integration
