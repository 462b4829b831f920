// The ingest flood: the same connection pattern and payloads against the gateway's callback
// port and the bare accept-read-close loop.
#include "ingest_flood.hpp"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "bench_args.hpp"
#include "bench_event.hpp"
#include "crnp/codec.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "process_stats.hpp"
#include "report_line.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace pb = crnp::gateway::v1;

std::string eventDocument(std::uint64_t sequence) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = kBenchSubclass;
  event.vendor = "SUNW";
  event.publisher = "rgm";
  for (auto& pair : benchEventPairs(sequence)) event.nvpairs.push_back({pair.name, pair.values});
  return crnp::writeEvent(event);
}

// One CRNP delivery: false when the connection failed (refused, reset).
bool deliver(const sockaddr_in& address, const std::string& document) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  std::size_t sent = 0;
  while (ok && sent < document.size()) {
    const auto n = ::send(fd, document.data() + sent, document.size() - sent, MSG_NOSIGNAL);
    ok = n > 0;
    if (ok) sent += static_cast<std::size_t>(n);
  }
  if (ok) ::shutdown(fd, SHUT_WR);
  char sink[256];
  while (ok && ::recv(fd, sink, sizeof sink, 0) > 0) {
  }
  ::close(fd);
  return ok;
}

// upstream.events_received once the gateway is registered with the cluster (it takes events
// only then), or nullopt.
std::optional<std::uint64_t> eventsReceived(pb::CrnpGateway::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  pb::GetClusterStateRequest request;
  request.add_event_types()->set_event_class("EC_Bench_none");  // the counters, no events
  pb::ClusterState state;
  if (!stub.GetClusterState(&context, request, &state).ok() || !state.upstream().healthy()) {
    return std::nullopt;
  }
  return state.upstream().events_received();
}

std::optional<std::uint64_t> eventsReceivedOnceRegistered(pb::CrnpGateway::Stub& stub) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (const auto counted = eventsReceived(stub)) return counted;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

}  // namespace

int runIngestFlood(const std::vector<std::string>& args) {
  const BenchArgs parsed(args, {});
  const auto target = parsed.required("--target");
  const auto colon = target.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))));
  if (colon == std::string::npos ||
      ::inet_pton(AF_INET, target.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    return fail("--target: '" + target + "' is not IPv4:port");
  }
  const auto total = parsed.number("--events", 1000);
  const auto concurrency = std::max<std::uint64_t>(1, parsed.number("--concurrency", 4));
  const auto pid = static_cast<pid_t>(parsed.number("--server-pid", 0));
  std::unique_ptr<pb::CrnpGateway::Stub> gateway;
  std::uint64_t before = 0;
  if (parsed.has("--gateway")) {
    gateway = pb::CrnpGateway::NewStub(
        grpc::CreateChannel(parsed.text("--gateway"), grpc::InsecureChannelCredentials()));
    const auto counted = eventsReceivedOnceRegistered(*gateway);
    if (!counted) return fail("the gateway is not registered with the cluster");
    before = *counted;
  }
  const auto base = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                               std::chrono::microseconds(1));
  std::vector<std::string> documents;
  documents.reserve(total);
  for (std::uint64_t i = 0; i < total; ++i) documents.push_back(eventDocument(base + i));

  const double cpuBefore = pid ? processCpuSeconds(pid).value_or(0) : 0;
  const auto start = Clock::now();
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> workers;
  for (std::uint64_t t = 0; t < concurrency; ++t) {
    workers.emplace_back([&] {
      for (auto i = next++; i < total; i = next++) {
        if (!deliver(address, documents[i])) ++failures;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double delivered = std::chrono::duration<double>(Clock::now() - start).count();
  double ingested = delivered;
  std::uint64_t counted = total - failures;
  if (gateway) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    for (;;) {
      counted = eventsReceived(*gateway).value_or(before) - before;
      if (counted >= total || Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ingested = std::chrono::duration<double>(Clock::now() - start).count();
  }
  const double cpu = pid ? processCpuSeconds(pid).value_or(0) - cpuBefore : 0;
  printLine({{"events", total},
             {"failed_connections", failures.load()},
             {"counted", counted},
             {"bytes_per_event", documents.empty() ? 0 : documents.front().size()},
             {"delivered_s", delivered},
             {"seconds", ingested},
             {"events_per_s", total / ingested},
             {"server_cpu_s", cpu},
             {"cpu_per_event_us", total ? cpu / total * 1e6 : 0}});
  if (failures != 0 || counted < total) return 1;
  return 0;
}

}  // namespace bench
