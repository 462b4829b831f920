// crnp-sim: a simulated Solaris Cluster. Serves CRNP registrations and deliveries like the
// cluster's cl_apid, drives the cluster from a scenario, and exposes crnp.sim.v1.SimControl
// (with reflection) for tests and demos. SIGTERM/SIGINT stop it in order, exit code 0.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <future>
#include <iostream>
#include <thread>
#include <vector>

#include "crnp/endpoint.hpp"
#include "crnp/sim/control_service.hpp"
#include "crnp/sim/sim_options.hpp"
#include "crnp/sim/simulator.hpp"

namespace {

namespace asio = boost::asio;
using crnp::sim::SimOptions;

// Threads running the Asio side (registrations, deliveries, the model's strand).
constexpr unsigned kIoThreads = 2;
// Time allowed for in-flight control calls when stopping (they take microseconds). gRPC also
// waits this long for connected clients that do not answer its GOAWAY (an idle client whose
// process polls nothing), so keep it short.
constexpr std::chrono::seconds kControlShutdownDeadline{1};

std::unique_ptr<grpc::Server> startControlServer(const std::string& address,
                                                 crnp::sim::ControlService& service) {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    spdlog::error("crnp-sim: cannot listen for control on {}", address);
    return nullptr;
  }
  spdlog::info("crnp-sim: control listening on {}:{}", address.substr(0, address.rfind(':')), port);
  return server;
}

int run(const SimOptions& options) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  crnp::sim::Simulator simulator(io.get_executor(), options.simulator);
  if (const auto ec = simulator.start()) {
    spdlog::error("crnp-sim: cannot start the CRNP server on {}: {}",
                  crnp::toString(options.simulator.server.listen), ec.message());
    return 1;
  }
  spdlog::info("crnp-sim: registration listening on {}",
               crnp::toString(simulator.server().localEndpoint()));

  std::promise<int> stopRequested;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stopRequested](const std::error_code& ec, int signal) {
    if (!ec) stopRequested.set_value(signal);
  });
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < kIoThreads; ++i) threads.emplace_back([&io] { io.run(); });

  crnp::sim::ControlService service(simulator);
  auto control = startControlServer(options.controlListen, service);
  int exitCode = 1;
  if (control) {
    const int signal = stopRequested.get_future().get();
    spdlog::info("crnp-sim: signal {} received, stopping", signal);
    exitCode = 0;
    // The io threads keep running while control calls drain: they finish on the strand.
    control->Shutdown(std::chrono::system_clock::now() + kControlShutdownDeadline);
    spdlog::debug("crnp-sim: control API stopped");
  }
  signals.cancel();
  simulator.stop();
  spdlog::debug("crnp-sim: CRNP server stopped");
  work.reset();
  io.stop();
  for (auto& thread : threads) thread.join();
  spdlog::info("crnp-sim: stopped");
  return exitCode;
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = crnp::sim::parseSimOptions(argc, argv);
  if (!parsed.options) {
    (parsed.exitCode == 0 ? std::cout : std::cerr) << parsed.output << std::flush;
    return parsed.exitCode;
  }
  spdlog::set_level(spdlog::level::from_str(parsed.options->logLevel));
  spdlog::flush_on(spdlog::level::trace);  // tests and supervisors read the log as it comes
  return run(*parsed.options);
}
