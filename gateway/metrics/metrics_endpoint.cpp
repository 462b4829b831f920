#include "metrics_endpoint.hpp"

#include <prometheus/exposer.h>

#include <exception>

namespace gateway {

MetricsEndpoint::MetricsEndpoint() = default;
MetricsEndpoint::~MetricsEndpoint() = default;

std::optional<std::string> MetricsEndpoint::start(
    const std::string& listen, std::vector<std::weak_ptr<prometheus::Collectable>> collectables) {
  // civetweb's spelling of "every address" is the port alone.
  const std::string address = !listen.empty() && listen.front() == ':' ? listen.substr(1) : listen;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& error) {
    return "cannot serve metrics on '" + listen + "': " + error.what();
  }
  for (auto& collectable : collectables) exposer_->RegisterCollectable(collectable, "/metrics");
  return std::nullopt;
}

int MetricsEndpoint::port() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace gateway
