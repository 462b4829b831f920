// Fan-out cost of one CRNP event to N Subscribe streams, in process (no sockets).
//   BM_HubFanout:      EventHub::ingest serializes the SubscribeResponse once; each stream
//                      filters, queues the pointer and, when it writes, copies the shared
//                      ByteBuffer (a slice reference) - what the gateway does.
//   BM_NaiveFanout:    baseline, in the same run: every stream builds and serializes its own
//                      SubscribeResponse from the crnp::Event - what a naive gateway does.
//   BM_IngestThread{OneStage,TwoStage}: the CPU an event costs the ingesting thread (the CRNP
//                      side's Asio thread), with the hand-out to N streams on that thread
//                      (one stage: baseline, what the gateway did before) or on a fan-out
//                      thread (two stages: what it does). The benchmark waits, untimed, for
//                      each event to reach every stream.
// At the end the ratios naive / hub and one stage / two stages are printed for each N, in CPU
// time of the benchmark's thread (the machine is shared, so wall time is noisier).
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crnp/matching.hpp"
#include "event_hub.hpp"
#include "proto_conversion.hpp"
#include "subscribe_messages.hpp"

namespace {

using gateway::StoredEventPtr;

crnp::Event sampleEvent(int i) {
  return {"1.0",
          "EC_Cluster",
          "ESC_cluster_rg_state",
          "SUNW",
          "rgm",
          {{"rg_name", {"oracle-rg"}},
           {"node_list", {"phys-node-1", "phys-node-2", "phys-node-3", "phys-node-4"}},
           {"state_list", {i % 2 ? "ONLINE" : "OFFLINE", "OFFLINE", "OFFLINE", "OFFLINE"}},
           {"ev_seq", {std::to_string(i)}}}};
}

const std::vector<crnp::EventType> kTypes{{"EC_Cluster", "ESC_cluster_rg_state", {}}};

// A stream's queue and writer, without gRPC: the write copies the buffer as StartWrite would.
struct HubStream final : gateway::EventSubscriber {
  void onEvent(const StoredEventPtr& event) override {
    if (crnp::matchesAny(kTypes, event->event)) queue.push_back(event);
  }
  void onFellBehind() override { std::abort(); }  // one stage: the fan-out is never behind
  void drain() {
    for (const auto& event : queue) {
      grpc::ByteBuffer inFlight(event->live);
      written += inFlight.Length();
    }
    queue.clear();
  }
  std::deque<StoredEventPtr> queue;
  std::size_t written = 0;
};

struct NaiveStream {
  void onEvent(const crnp::Event& event, std::uint64_t sequence,
               std::chrono::system_clock::time_point received) {
    if (!crnp::matchesAny(kTypes, event)) return;
    gateway::pb::SubscribeResponse response;
    response.set_resume_token(gateway::encodeResumeToken({42, sequence}));
    gateway::toProto(event, sequence, received, false, response.mutable_event());
    queue.push_back(gateway::serializeToByteBuffer(response));
  }
  void drain() {
    for (const auto& buffer : queue) written += buffer.Length();
    queue.clear();
  }
  std::deque<grpc::ByteBuffer> queue;
  std::size_t written = 0;
};

void BM_HubFanout(benchmark::State& state) {
  gateway::EventHubConfig config;
  config.ringCapacity = 10'000;
  gateway::EventHub hub(config);
  std::vector<HubStream> streams(static_cast<std::size_t>(state.range(0)));
  for (auto& stream : streams) hub.attach(stream, kTypes, std::nullopt);
  int i = 0;
  for (auto _ : state) {
    hub.ingest(sampleEvent(i++), std::chrono::system_clock::now());
    for (auto& stream : streams) stream.drain();
  }
  for (auto& stream : streams) hub.detach(stream);
  state.SetItemsProcessed(state.iterations());
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}

void BM_NaiveFanout(benchmark::State& state) {
  std::vector<NaiveStream> streams(static_cast<std::size_t>(state.range(0)));
  std::uint64_t sequence = 0;
  int i = 0;
  for (auto _ : state) {
    const crnp::Event event = sampleEvent(i++);
    const auto received = std::chrono::system_clock::now();
    ++sequence;
    for (auto& stream : streams) stream.onEvent(event, sequence, received);
    for (auto& stream : streams) stream.drain();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}

// A stream that writes at once (as a stream with an idle writer does) and counts its events.
struct CountingStream final : gateway::EventSubscriber {
  void onEvent(const StoredEventPtr& event) override {
    if (!crnp::matchesAny(kTypes, event->event)) return;
    grpc::ByteBuffer inFlight(event->live);
    written += inFlight.Length();
    received.store(event->sequence, std::memory_order_release);
  }
  void onFellBehind() override { std::abort(); }  // the benchmark waits for every hand-out
  std::size_t written = 0;
  std::atomic<std::uint64_t> received{0};
};

// The gateway's fan-out worker, reduced: one thread running deliverPending when signalled.
class FanoutThread {
 public:
  void signal() {
    std::lock_guard lock(mutex_);
    due_ = true;
    wake_.notify_one();
  }
  void run(gateway::EventHub& hub) {
    thread_ = std::thread([this, &hub] {
      std::unique_lock lock(mutex_);
      for (;;) {
        wake_.wait(lock, [this] { return due_ || stopping_; });
        if (!due_) return;
        due_ = false;
        lock.unlock();
        hub.deliverPending();
        lock.lock();
      }
    });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      wake_.notify_one();
    }
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

void ingestThreadCost(benchmark::State& state, bool twoStages) {
  gateway::EventHubConfig config;
  config.ringCapacity = 10'000;
  FanoutThread fanout;
  gateway::EventHub::FanoutSignal signal;
  if (twoStages) signal = [&fanout] { fanout.signal(); };
  gateway::EventHub hub(config, signal);
  if (twoStages) fanout.run(hub);
  std::vector<CountingStream> streams(static_cast<std::size_t>(state.range(0)));
  for (auto& stream : streams) hub.attach(stream, kTypes, std::nullopt);
  int i = 0;
  for (auto _ : state) {
    const auto stored = hub.ingest(sampleEvent(i++), std::chrono::system_clock::now());
    state.PauseTiming();
    while (streams.back().received.load(std::memory_order_acquire) != stored->sequence) {
      std::this_thread::yield();
    }
    state.ResumeTiming();
  }
  for (auto& stream : streams) hub.detach(stream);
  if (twoStages) fanout.stop();
  state.SetItemsProcessed(state.iterations());
}

void BM_IngestThreadOneStage(benchmark::State& state) { ingestThreadCost(state, false); }
void BM_IngestThreadTwoStages(benchmark::State& state) { ingestThreadCost(state, true); }

BENCHMARK(BM_HubFanout)->Arg(1)->Arg(100);
BENCHMARK(BM_NaiveFanout)->Arg(1)->Arg(100);
BENCHMARK(BM_IngestThreadOneStage)->Arg(1)->Arg(100)->Arg(1000);
BENCHMARK(BM_IngestThreadTwoStages)->Arg(1)->Arg(100)->Arg(1000);

// Console output as usual, plus the CPU time per event of each run, for the ratio at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type == Run::RT_Iteration)
        nanosPerEvent_[run.benchmark_name()] = run.GetAdjustedCPUTime();
    }
  }
  void printRatios() const {
    for (const char* n : {"1", "100"}) {
      const auto hub = nanosPerEvent_.find(std::string("BM_HubFanout/") + n);
      const auto naive = nanosPerEvent_.find(std::string("BM_NaiveFanout/") + n);
      if (hub == nanosPerEvent_.end() || naive == nanosPerEvent_.end()) continue;
      std::printf("N=%-4s CPU per event: hub %9.0f ns, naive %9.0f ns; naive / hub = %.2f\n", n,
                  hub->second, naive->second, naive->second / hub->second);
    }
    for (const char* n : {"1", "100", "1000"}) {
      const auto one = nanosPerEvent_.find(std::string("BM_IngestThreadOneStage/") + n);
      const auto two = nanosPerEvent_.find(std::string("BM_IngestThreadTwoStages/") + n);
      if (one == nanosPerEvent_.end() || two == nanosPerEvent_.end()) continue;
      std::printf(
          "N=%-4s ingest-thread CPU per event: one stage %9.0f ns, two stages %9.0f ns; "
          "one / two = %.2f\n",
          n, one->second, two->second, one->second / two->second);
    }
  }

 private:
  std::map<std::string, double> nanosPerEvent_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.printRatios();
  benchmark::Shutdown();
  return 0;
}
