// The subscribe mode of the load client: stream set-up, then measuring windows and storms on
// the driver's command. The gateway's CPU comes from /proc (--server-pid), the same machine.
#include "subscribe_load.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "bench_args.hpp"
#include "latency_summary.hpp"
#include "process_stats.hpp"
#include "report_line.hpp"
#include "subscribe_stream.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct LoadOptions {
  std::string target;
  std::size_t streams = 1;
  std::size_t perConnection = 100;
  std::string registrationId = "bench";
  bool registerFirst = false;
  std::uint32_t maxBatch = 0;
  pid_t serverPid = 0;
  std::chrono::seconds timeout{120};
};

LoadOptions readOptions(const std::vector<std::string>& args) {
  const BenchArgs parsed(args, {"--register"});
  LoadOptions options;
  options.target = parsed.required("--target");
  options.streams = parsed.number("--streams", 1);
  options.perConnection = std::max<std::size_t>(1, parsed.number("--per-connection", 100));
  options.registrationId = parsed.text("--registration-id", "bench");
  options.registerFirst = parsed.has("--register");
  options.maxBatch = static_cast<std::uint32_t>(parsed.number("--max-batch", 0));
  options.serverPid = static_cast<pid_t>(parsed.number("--server-pid", 0));
  options.timeout = std::chrono::seconds(parsed.number("--timeout", 120));
  return options;
}

// Registration `id` for every cluster event (class EC_Cluster), what the streams follow.
bool registerForClusterEvents(pb::CrnpGateway::Stub& stub, const std::string& id) {
  pb::RegisterRequest request;
  request.set_registration_id(id);
  request.add_event_types()->set_event_class("EC_Cluster");
  pb::Registration reply;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const auto status = stub.Register(&context, request, &reply);
  if (!status.ok()) std::cerr << "Register: " << status.error_message() << "\n";
  return status.ok();
}

class SubscribeLoad {
 public:
  explicit SubscribeLoad(LoadOptions options) : options_(std::move(options)) {}

  ~SubscribeLoad() {
    for (auto& stream : streams_) stream->cancel();
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (board_.done.load() < started_ && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (board_.done.load() < started_) std::_Exit(1);  // reactors still run: do not free them
  }

  int run() {
    const auto connections =
        (options_.streams + options_.perConnection - 1) / options_.perConnection;
    for (std::size_t c = 0; c < std::max<std::size_t>(connections, 1); ++c) {
      grpc::ChannelArguments arguments;
      // Each channel its own subchannel pool, so its own TCP connection.
      arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      arguments.SetInt("crnp.bench.connection", static_cast<int>(c));
      arguments.SetMaxReceiveMessageSize(64 * 1024 * 1024);
      auto channel =
          grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), arguments);
      stubs_.push_back(pb::CrnpGateway::NewStub(channel));
      channels_.push_back(std::move(channel));
    }
    // Connections first, for the gateway and the baseline alike: set-up counts streams only.
    for (auto& channel : channels_) {
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
        return fail("cannot connect to " + options_.target);
      }
    }
    if (options_.registerFirst && !registerForClusterEvents(*stubs_[0], options_.registrationId)) {
      return fail("Register failed");
    }
    const auto startNs = wallNs();
    for (std::size_t i = 0; i < options_.streams; ++i) {
      streams_.push_back(
          std::make_unique<SubscribeStream>(board_, options_.registrationId, options_.maxBatch));
    }
    for (std::size_t i = 0; i < options_.streams; ++i) {
      streams_[i]->start(*stubs_[i / options_.perConnection]);
      ++started_;
    }
    if (!waitFor([&] { return board_.ready.load() == options_.streams; })) {
      return fail("streams not ready: " + std::to_string(board_.ready.load()) + " of " +
                  std::to_string(options_.streams) + "; " + firstError());
    }
    const auto rss = options_.serverPid ? processRssKib(options_.serverPid) : std::nullopt;
    printLine({{"phase", "ready"},
               {"streams", options_.streams},
               {"connections", stubs_.size()},
               {"setup_ms", (board_.lastReadyNs.load() - startNs) / 1e6},
               {"snapshot_events", board_.snapshotEvents.load()},
               {"server_rss_kib", rss.value_or(0)}});
    return commands();
  }

 private:
  int commands() {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (board_.failed.load() != 0) return fail("a stream ended: " + firstError());
      if (line == "measure") {
        beginWindow();
        printLine({{"phase", "measuring"}});
      } else if (line == "report") {
        board_.recording = false;
        printLine(endWindow("window"));
      } else if (line.rfind("storm ", 0) == 0) {
        const auto events = static_cast<std::uint32_t>(std::stoul(line.substr(6)));
        beginWindow();
        board_.recording = false;
        board_.stormEvents = events;
        printLine({{"phase", "armed"}, {"events", events}});
        const bool complete = waitFor([&] { return board_.stormDone.load() == streams_.size(); });
        auto result = endWindow("storm");
        result["complete"] = complete;
        result["storm_events"] = events;
        printLine(result);
        if (!complete) return 1;
      } else if (line == "drain") {
        // Quiet for 300 ms: what was sent before has arrived (a backlog would spoil a storm).
        const auto start = Clock::now();
        const bool quiet =
            waitFor([&] { return wallNs() - board_.lastEventNs.load() > 300'000'000; });
        if (!quiet) return fail("events kept arriving: no quiet moment to drain");
        printLine({{"phase", "drained"},
                   {"waited_ms",
                    std::chrono::duration<double, std::milli>(Clock::now() - start).count()}});
      } else if (line == "quit") {
        return 0;
      }
    }
    return 0;
  }

  void beginWindow() {
    for (auto& stream : streams_) stream->take();
    cpuStart_ = cpuNow();
    clientCpuStart_ = processCpuSeconds(::getpid()).value_or(0);
    windowStart_ = Clock::now();
    board_.recording = true;
  }

  nlohmann::json endWindow(const std::string& phase) {
    const double seconds = std::chrono::duration<double>(Clock::now() - windowStart_).count();
    const double cpu = cpuNow() - cpuStart_;
    const double clientCpu = processCpuSeconds(::getpid()).value_or(0) - clientCpuStart_;
    StreamSamples all;
    std::int64_t firstEmission = 0;
    std::int64_t lastArrival = 0;
    for (auto& stream : streams_) {
      auto samples = stream->take();
      all.events += samples.events;
      all.messages += samples.messages;
      all.bytes += samples.bytes;
      all.fromReceivedUs.insert(all.fromReceivedUs.end(), samples.fromReceivedUs.begin(),
                                samples.fromReceivedUs.end());
      all.fromEmissionUs.insert(all.fromEmissionUs.end(), samples.fromEmissionUs.begin(),
                                samples.fromEmissionUs.end());
      if (samples.firstEmissionNs != 0 &&
          (firstEmission == 0 || samples.firstEmissionNs < firstEmission)) {
        firstEmission = samples.firstEmissionNs;
      }
      lastArrival = std::max(lastArrival, samples.lastArrivalNs);
    }
    const auto perMessage = all.messages ? static_cast<double>(all.bytes) / all.messages : 0.0;
    return {{"phase", phase},
            {"streams", streams_.size()},
            {"seconds", seconds},
            {"events", all.events},
            {"messages", all.messages},
            {"events_per_s", seconds > 0 ? all.events / seconds : 0.0},
            {"message_bytes", perMessage},
            {"server_cpu_s", cpu},
            {"client_cpu_s", clientCpu},
            {"latency_received_us", summarizeMicros(all.fromReceivedUs)},
            {"latency_emission_us", summarizeMicros(all.fromEmissionUs)},
            {"first_emission_to_last_arrival_ms",
             firstEmission && lastArrival ? (lastArrival - firstEmission) / 1e6 : 0.0}};
  }

  double cpuNow() const {
    if (options_.serverPid == 0) return 0;
    return processCpuSeconds(options_.serverPid).value_or(0);
  }

  template <class Predicate>
  bool waitFor(Predicate done) {
    const auto deadline = Clock::now() + options_.timeout;
    while (!done()) {
      if (board_.failed.load() != 0 || Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  std::string firstError() {
    std::lock_guard lock(board_.errorMutex);
    return board_.firstError.empty() ? "no stream failed" : board_.firstError;
  }

  const LoadOptions options_;
  StreamBoard board_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<pb::CrnpGateway::Stub>> stubs_;
  std::vector<std::unique_ptr<SubscribeStream>> streams_;
  std::size_t started_ = 0;
  Clock::time_point windowStart_;
  double cpuStart_ = 0;
  double clientCpuStart_ = 0;
};

}  // namespace

int runSubscribeLoad(const std::vector<std::string>& args) {
  SubscribeLoad load(readOptions(args));
  return load.run();
}

}  // namespace bench
