// Emission through the simulator's control API, so each event takes the cluster's real path:
// the CRNP server's queue and one callback connection per event to the gateway.
#include "sim_emitter.hpp"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_args.hpp"
#include "bench_event.hpp"
#include "crnp/sim/v1/control.grpc.pb.h"
#include "report_line.hpp"

namespace bench {
namespace {

namespace sim = crnp::sim::v1;

sim::EmitEventRequest emitRequest(std::uint64_t sequence) {
  sim::EmitEventRequest request;
  request.set_subclass(kBenchSubclass);
  for (const auto& pair : benchEventPairs(sequence)) {
    auto* out = request.add_nvpairs();
    out->set_name(pair.name);
    for (const auto& value : pair.values) out->add_values(value);
  }
  return request;
}

// A sequence base distinct for every run, so no event repeats an earlier one.
std::uint64_t sequenceBase() {
  return static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                    std::chrono::microseconds(1));
}

int burst(sim::SimControl::Stub& stub, std::uint64_t count) {
  struct Call {
    grpc::ClientContext context;
    sim::EmitEventRequest request;
    sim::EmitEventResponse response;
  };
  std::vector<std::unique_ptr<Call>> calls;
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t done = 0;
  std::string error;
  const auto base = sequenceBase();
  for (std::uint64_t i = 0; i < count; ++i) {
    auto call = std::make_unique<Call>();
    call->request = emitRequest(base + i);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    calls.push_back(std::move(call));
  }
  for (auto& call : calls) {
    stub.async()->EmitEvent(&call->context, &call->request, &call->response,
                            [&](grpc::Status status) {
                              std::lock_guard lock(mutex);
                              if (!status.ok() && error.empty()) error = status.error_message();
                              if (++done == calls.size()) finished.notify_one();
                            });
  }
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return done == calls.size(); });
  if (!error.empty()) return fail("EmitEvent: " + error);
  printLine({{"emitted", count}});
  return 0;
}

int paced(sim::SimControl::Stub& stub, double rate) {
  std::atomic<bool> stop{false};
  std::thread stdinWatch([&] {
    std::string line;
    while (std::getline(std::cin, line) && line != "quit") {
    }
    stop = true;
  });
  stdinWatch.detach();  // blocked in a read until the driver closes stdin; the exit ends it
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  auto next = std::chrono::steady_clock::now();
  const auto base = sequenceBase();
  std::uint64_t emitted = 0;
  while (!stop) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    sim::EmitEventResponse response;
    const auto status = stub.EmitEvent(&context, emitRequest(base + emitted), &response);
    if (!status.ok()) return fail("EmitEvent: " + status.error_message());
    ++emitted;
    next += interval;
    std::this_thread::sleep_until(next);
  }
  printLine({{"emitted", emitted}});
  return 0;
}

}  // namespace

int runSimEmitter(const std::vector<std::string>& args) {
  const BenchArgs parsed(args, {});
  auto stub = sim::SimControl::NewStub(
      grpc::CreateChannel(parsed.required("--control"), grpc::InsecureChannelCredentials()));
  if (parsed.has("--burst")) return burst(*stub, parsed.number("--burst", 50));
  const double rate = parsed.real("--rate", 10);
  if (!(rate > 0)) return fail("--rate must be positive");
  return paced(*stub, rate);
}

}  // namespace bench
