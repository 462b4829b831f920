#include "register_round_trip.hpp"

#include <grpcpp/grpcpp.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>

#include "bench_args.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "crnp/registration_client.hpp"
#include "latency_summary.hpp"
#include "report_line.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace pb = crnp::gateway::v1;

// A type no event has: the cluster sends no snapshot for it, so the round trip is the exchange.
std::string benchSubclass(std::size_t i) { return "ESC_bench_" + std::to_string(i); }
constexpr const char* kBenchClass = "EC_Bench";

std::int64_t micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

int throughGateway(const std::string& target, std::size_t count) {
  auto stub =
      pb::CrnpGateway::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  std::vector<std::int64_t> samples;
  for (std::size_t i = 0; i < count; ++i) {
    pb::RegisterRequest request;
    request.set_registration_id("bench-rtt-" + std::to_string(i));
    auto* type = request.add_event_types();
    type->set_event_class(kBenchClass);
    type->set_subclass(benchSubclass(i));
    pb::Registration reply;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    const auto start = Clock::now();
    const auto status = stub->Register(&context, request, &reply);
    samples.push_back(micros(Clock::now() - start));
    if (!status.ok()) return fail("Register: " + status.error_message());
  }
  printLine({{"registrations", count}, {"round_trip_us", summarizeMicros(samples)}});
  return 0;
}

int directCrnp(const std::string& server, std::uint16_t callbackPort, std::size_t count) {
  const auto address = crnp::ServerAddress::parse(server);
  if (!address) return fail("--crnp-server: '" + server + "' is not host:port");
  boost::asio::io_context io;
  std::vector<std::int64_t> samples;
  for (std::size_t i = 0; i < count; ++i) {
    crnp::Registration registration;
    registration.port = callbackPort;
    registration.type = i == 0 ? crnp::RegType::AddClient : crnp::RegType::AddEvents;
    registration.events.push_back({kBenchClass, benchSubclass(i), {}});
    std::optional<crnp::RegistrationResult> result;
    const auto start = Clock::now();
    crnp::asyncRegister(io.get_executor(), *address, registration, {},
                        [&](crnp::RegistrationResult r) { result = std::move(r); });
    io.restart();
    io.run();
    samples.push_back(micros(Clock::now() - start));
    if (!result || result->outcome != crnp::RegistrationOutcome::Replied ||
        result->reply->code != crnp::StatusCode::Ok) {
      return fail("CRNP registration failed: " + (result ? result->detail : std::string("?")));
    }
  }
  crnp::Registration leave;
  leave.port = callbackPort;
  leave.type = crnp::RegType::RemoveClient;
  crnp::asyncRegister(io.get_executor(), *address, leave, {}, [](crnp::RegistrationResult) {});
  io.restart();
  io.run();
  printLine({{"registrations", count}, {"round_trip_us", summarizeMicros(samples)}});
  return 0;
}

}  // namespace

int runRegisterRoundTrip(const std::vector<std::string>& args) {
  const BenchArgs parsed(args, {});
  const auto count = parsed.number("--count", 100);
  if (parsed.has("--gateway")) return throughGateway(parsed.text("--gateway"), count);
  return directCrnp(parsed.required("--crnp-server"),
                    static_cast<std::uint16_t>(parsed.number("--callback-port", 9)), count);
}

}  // namespace bench
