#pragma once
// MetricsEndpoint: serves /metrics over HTTP (prometheus-cpp's exposer) from one registry of
// the gRPC metrics and the gateway's collector.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace gateway {

class MetricsEndpoint {
 public:
  MetricsEndpoint();
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  /// Listens on `listen` ("host:port", ":port" for every address, "[v6]:port"; port 0 picks a
  /// free one) and serves `collectables` at /metrics. Returns why it could not.
  std::optional<std::string> start(
      const std::string& listen, std::vector<std::weak_ptr<prometheus::Collectable>> collectables);
  /// The bound port; 0 before start().
  int port() const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace gateway
