#pragma once
// GatewayApp: the whole gateway as one object, wired from GatewayOptions. The only place that
// picks concrete types (CrnpUpstream, the SQLite registry, the embedded simulator); main()
// runs it until SIGTERM / SIGINT.
#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "gateway_options.hpp"

namespace gateway {

class GatewayApp {
 public:
  explicit GatewayApp(GatewayOptions options);
  ~GatewayApp();  ///< shuts down if still running
  GatewayApp(const GatewayApp&) = delete;
  GatewayApp& operator=(const GatewayApp&) = delete;

  /// Opens the registry, starts the embedded cluster (if asked), the CRNP upstream (callback
  /// listener first) and the gRPC server, then restores the durable registrations upstream.
  /// On failure returns a message for a human and leaves nothing running.
  std::optional<std::string> start();

  /// Orderly stop: health NOT_SERVING, going_away to every stream, registration changes
  /// refused, the gRPC server shut down within options.shutdownTimeout, then the upstream and
  /// the embedded cluster. Idempotent.
  void shutdown();

  /// Blocks until SIGTERM or SIGINT (installed by start()), then calls shutdown().
  void runUntilSignalled();

  int grpcPort() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gateway
