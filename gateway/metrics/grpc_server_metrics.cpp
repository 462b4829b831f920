#include "grpc_server_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "latency_histogram.hpp"

namespace gateway {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;
using HookPoint = grpc::experimental::InterceptionHookPoints;

std::string_view goCodeName(int code) {
  static constexpr std::array<std::string_view, 17> kNames{
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  if (code >= 0 && static_cast<std::size_t>(code) < kNames.size()) return kNames[code];
  return "Unknown";
}

struct GrpcServerMetrics::Families {
  explicit Families(prometheus::Registry& registry)
      : started(prometheus::BuildCounter()
                    .Name("grpc_server_started_total")
                    .Help("Total number of RPCs started on the server.")
                    .Register(registry)),
        handled(prometheus::BuildCounter()
                    .Name("grpc_server_handled_total")
                    .Help("Total number of RPCs completed on the server, regardless of success "
                          "or failure.")
                    .Register(registry)),
        received(prometheus::BuildCounter()
                     .Name("grpc_server_msg_received_total")
                     .Help("Total number of RPC stream messages received on the server.")
                     .Register(registry)),
        sent(prometheus::BuildCounter()
                 .Name("grpc_server_msg_sent_total")
                 .Help("Total number of gRPC stream messages sent by the server.")
                 .Register(registry)),
        seconds(prometheus::BuildHistogram()
                    .Name("grpc_server_handling_seconds")
                    .Help("Histogram of response latency (seconds) of gRPC that had been "
                          "application-level handled by the server.")
                    .Register(registry)) {}

  /// The series of one method (created on its first call; methods are a fixed set).
  struct Method {
    prometheus::Labels labels;
    bool unary = false;
    Counter* started = nullptr;
    Counter* received = nullptr;
    Counter* sent = nullptr;
    Histogram* seconds = nullptr;  ///< unary only
  };

  Method& method(const grpc::experimental::ServerRpcInfo& info) {
    return method(info.method() ? info.method() : "", info.type());
  }

  Method& method(const std::string& name, grpc::experimental::ServerRpcInfo::Type callType) {
    std::lock_guard lock(mutex);
    auto [it, inserted] = methods.try_emplace(name);
    Method& m = it->second;
    if (!inserted) return m;
    // "/package.Service/Method"
    const auto slash = name.rfind('/');
    const std::string service = slash == std::string::npos || slash == 0
                                    ? std::string("unknown")
                                    : name.substr(1, slash - 1);
    const std::string rpc = slash == std::string::npos ? name : name.substr(slash + 1);
    using Type = grpc::experimental::ServerRpcInfo::Type;
    const char* type = "unary";
    switch (callType) {
      case Type::UNARY:
        type = "unary";
        break;
      case Type::CLIENT_STREAMING:
        type = "client_stream";
        break;
      case Type::SERVER_STREAMING:
        type = "server_stream";
        break;
      case Type::BIDI_STREAMING:
        type = "bidi_stream";
        break;
    }
    m.labels = {{"grpc_type", type}, {"grpc_service", service}, {"grpc_method", rpc}};
    m.unary = callType == Type::UNARY;
    m.started = &started.Add(m.labels);
    m.received = &received.Add(m.labels);
    m.sent = &sent.Add(m.labels);
    if (m.unary) {
      Histogram::BucketBoundaries bounds(LatencyHistogram::kBounds.begin(),
                                         LatencyHistogram::kBounds.end());
      m.seconds = &seconds.Add(m.labels, bounds);
    }
    return m;
  }

  Counter& handledFor(const Method& m, int code) {
    prometheus::Labels labels = m.labels;
    labels.emplace("grpc_code", std::string(goCodeName(code)));
    return handled.Add(labels);  // thread-safe; the same series for the same labels
  }

  Family<Counter>& started;
  Family<Counter>& handled;
  Family<Counter>& received;
  Family<Counter>& sent;
  Family<Histogram>& seconds;
  std::mutex mutex;
  std::unordered_map<std::string, Method> methods;
};

namespace {

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcServerMetrics::Families& families,
                     GrpcServerMetrics::Families::Method& method)
      : families_(families), method_(method), startedAt_(std::chrono::steady_clock::now()) {
    method_.started->Increment();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(HookPoint::POST_RECV_MESSAGE)) {
      method_.received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(HookPoint::PRE_SEND_MESSAGE)) {
      method_.sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(HookPoint::PRE_SEND_STATUS)) {
      families_.handledFor(method_, methods->GetSendStatus().error_code()).Increment();
      if (method_.seconds) {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - startedAt_;
        method_.seconds->Observe(took.count());
      }
    }
    methods->Proceed();
  }

 private:
  GrpcServerMetrics::Families& families_;
  GrpcServerMetrics::Families::Method& method_;
  const std::chrono::steady_clock::time_point startedAt_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics::Families& families) : families_(families) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // No interceptor (nullptr) for the streaming method: it reports through its observer.
    if (info->method() != nullptr && info->method() == GrpcServerMetrics::streamingMethod) {
      return nullptr;
    }
    return new MetricsInterceptor(families_, families_.method(*info));
  }

 private:
  GrpcServerMetrics::Families& families_;
};

// The streaming method's series, counted by its streams (no interceptor on it).
class StreamingMethodObserver final : public StreamCallObserver {
 public:
  explicit StreamingMethodObserver(GrpcServerMetrics::Families& families)
      : families_(families),
        method_(families.method(std::string(GrpcServerMetrics::streamingMethod),
                                grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING)) {}

  void started() override {
    method_.started->Increment();
    method_.received->Increment();  // the request
  }
  void messageSent() override { method_.sent->Increment(); }
  void handled(grpc::StatusCode code) override {
    families_.handledFor(method_, static_cast<int>(code)).Increment();
  }

 private:
  GrpcServerMetrics::Families& families_;
  GrpcServerMetrics::Families::Method& method_;
};

}  // namespace

GrpcServerMetrics::GrpcServerMetrics(prometheus::Registry& registry)
    : families_(std::make_unique<Families>(registry)),
      streamObserver_(std::make_unique<StreamingMethodObserver>(*families_)) {}

StreamCallObserver& GrpcServerMetrics::streamObserver() { return *streamObserver_; }

GrpcServerMetrics::~GrpcServerMetrics() = default;

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::interceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*families_);
}

}  // namespace gateway
