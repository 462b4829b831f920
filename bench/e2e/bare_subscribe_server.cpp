// crnp-bench-bare-server: the fan-out baseline. A bare gRPC C++ callback server with the
// gateway's service and method name (crnp.gateway.v1.CrnpGateway/Subscribe) that does the
// least a gateway must: each stream gets a snapshot of --snapshot-events event messages (the
// driver passes the size of the gateway's snapshot in the same case) and snapshot_end, then
// every broadcast message. A message
// is built and serialized once (the same event shape and size as the gateway's) and its
// ByteBuffer shared by every stream; one write in flight per stream, the rest queued.
// stdin commands: `rate R` (R messages per second, 0 stops), `burst K` (K at once), `quit`.
// On start it prints {"listening":"IP:PORT"}.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench_args.hpp"
#include "bench_event.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "report_line.hpp"

namespace {

namespace pb = crnp::gateway::v1;
using bench::printLine;

grpc::ByteBuffer serialize(const pb::SubscribeResponse& response) {
  const std::string bytes = response.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

class BareStream;

// The open streams, for broadcasts.
class StreamSet {
 public:
  void add(BareStream* stream) {
    std::lock_guard lock(mutex_);
    streams_.insert(stream);
  }
  void remove(BareStream* stream) {
    std::lock_guard lock(mutex_);
    streams_.erase(stream);
  }
  void broadcast(const grpc::ByteBuffer& message);

 private:
  std::mutex mutex_;
  std::unordered_set<BareStream*> streams_;
};

class BareStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  BareStream(StreamSet& set, const std::vector<grpc::ByteBuffer>& start) : set_(set) {
    set_.add(this);
    for (const auto& message : start) send(message);
  }

  void send(const grpc::ByteBuffer& message) {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    queue_.push_back(message);  // a copy shares the slices: no bytes are copied
    if (queue_.size() == 1) StartWrite(&queue_.front());
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mutex_);
    queue_.pop_front();
    if (!ok) {
      finishLocked(grpc::Status::CANCELLED);
    } else if (!queue_.empty() && !finished_) {
      StartWrite(&queue_.front());
    }
  }

  void OnCancel() override {
    std::lock_guard lock(mutex_);
    finishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    set_.remove(this);
    delete this;
  }

 private:
  void finishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  StreamSet& set_;
  std::mutex mutex_;
  std::deque<grpc::ByteBuffer> queue_;
  bool finished_ = false;
};

void StreamSet::broadcast(const grpc::ByteBuffer& message) {
  std::lock_guard lock(mutex_);
  for (auto* stream : streams_) stream->send(message);
}

class BareService final
    : public pb::CrnpGateway::WithRawCallbackMethod_Subscribe<pb::CrnpGateway::CallbackService> {
 public:
  /// Every stream starts with `snapshotEvents` event messages (as a gateway's snapshot of
  /// that many events: the driver passes the gateway's count), then snapshot_end.
  explicit BareService(std::uint32_t snapshotEvents) {
    for (std::uint32_t i = 0; i < snapshotEvents; ++i) {
      start_.push_back(serialize(eventMessage(++sequence_, true)));
    }
    pb::SubscribeResponse end;
    end.set_resume_token(token(sequence_));
    end.mutable_snapshot_end()->set_event_count(snapshotEvents);
    start_.push_back(serialize(end));
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext*,
                                                        const grpc::ByteBuffer*) override {
    return new BareStream(streams_, start_);
  }

  // One event, built and serialized once for every stream.
  void broadcastEvent() { streams_.broadcast(serialize(eventMessage(++sequence_, false))); }

 private:
  pb::SubscribeResponse eventMessage(std::uint64_t sequence, bool snapshot) const {
    const auto now = std::chrono::system_clock::now();
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    pb::SubscribeResponse response;
    response.set_resume_token(token(sequence));
    auto* event = response.mutable_event();
    event->set_sequence(sequence);
    event->set_event_class("EC_Cluster");
    event->set_subclass(bench::kBenchSubclass);
    event->set_vendor("SUNW");
    event->set_publisher("rgm");
    const auto pairs =
        bench::benchEventPairs(sequenceBase_ + sequence);  // as long as the emitter's
    for (const auto& pair : pairs) {
      auto* out = event->add_nvpairs();
      out->set_name(pair.name);
      for (const auto& value : pair.values) out->add_values(value);
    }
    auto* stamp = event->add_nvpairs();
    stamp->set_name("ev_emit_time_ns");
    stamp->add_values(std::to_string(nanos));
    event->mutable_received_time()->set_seconds(nanos / 1'000'000'000);
    event->mutable_received_time()->set_nanos(static_cast<int>(nanos % 1'000'000'000));
    auto* group = event->mutable_resource_group();
    group->set_group(pairs[0].values[0]);
    for (std::size_t i = 0; i < pairs[1].values.size(); ++i) {
      (*group->mutable_node_states())[pairs[1].values[i]] = pairs[2].values[i];
    }
    event->set_snapshot(snapshot);
    return response;
  }

  static std::string token(std::uint64_t sequence) {
    return "00000000bench000:" + std::to_string(sequence);
  }

  StreamSet streams_;
  std::vector<grpc::ByteBuffer> start_;  // snapshot events and snapshot_end
  std::atomic<std::uint64_t> sequence_{0};
  // crnp-bench-client emit numbers its events from the time in microseconds: the same digits.
  const std::uint64_t sequenceBase_ = static_cast<std::uint64_t>(
      std::chrono::system_clock::now().time_since_epoch() / std::chrono::microseconds(1));
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  long perConnection = 100;
  std::uint32_t snapshotEvents = 0;
  try {
    const bench::BenchArgs args({argv + 1, argv + argc}, {});
    listen = args.text("--listen", listen);
    perConnection = static_cast<long>(args.number("--max-streams-per-connection", 100));
    snapshotEvents = static_cast<std::uint32_t>(args.number("--snapshot-events", 0));
  } catch (const std::invalid_argument& e) {
    std::cerr << "crnp-bench-bare-server: " << e.what() << "\n";
    return 2;
  }
  BareService service(snapshotEvents);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, static_cast<int>(perConnection));
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) return bench::fail("cannot listen on " + listen);
  printLine({{"listening", listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port)}});

  std::atomic<double> rate{0};
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
      const double perSecond = rate.load();
      if (perSecond <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        next = std::chrono::steady_clock::now();
        continue;
      }
      service.broadcastEvent();
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(1.0 / perSecond));
      std::this_thread::sleep_until(next);
    }
  });
  std::string line;
  while (std::getline(std::cin, line) && line != "quit") {
    if (line.rfind("rate ", 0) == 0) rate = std::stod(line.substr(5));
    if (line.rfind("burst ", 0) == 0) {
      for (auto k = std::stoul(line.substr(6)); k > 0; --k) service.broadcastEvent();
    }
  }
  stop = true;
  ticker.join();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
