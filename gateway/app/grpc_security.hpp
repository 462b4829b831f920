#pragma once
// GrpcSecurity: the gRPC port's credentials and authorization, built from the flags. Picks the
// concrete types (TLS over a FileWatcherCertificateProvider or plaintext; TokenCallAuthorizer
// over the token file or everyone allowed; ReflectionGate for --auth-reflection) and owns the
// token set that the reload timer refreshes.
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <optional>
#include <string>

#include "call_authorizer.hpp"
#include "crnp/sim/control_service.hpp"
#include "gateway_options.hpp"
#include "token_store.hpp"

namespace gateway {

class GrpcSecurity {
 public:
  /// Reads the token file and checks the TLS files: nullptr and `error` (naming the file)
  /// when one is unreadable or invalid.
  static std::unique_ptr<GrpcSecurity> create(const GatewayOptions& options, std::string& error);

  std::shared_ptr<grpc::ServerCredentials> credentials() const { return credentials_; }
  const auth::CallAuthorizer& authorizer() const;
  /// The embedded simulator's control API: the same authorizer (write tokens only); an empty
  /// guard when no tokens are configured.
  crnp::sim::ControlService::CallGuard simControlGuard() const;
  /// Checks the token file for changes (no-op without one). Call from one thread at a time.
  void reloadTokens();
  bool reloads() const { return reloader_ != nullptr; }

 private:
  GrpcSecurity() = default;

  std::unique_ptr<auth::TokenStore> tokens_;
  std::unique_ptr<auth::TokenFileReloader> reloader_;
  std::unique_ptr<auth::CallAuthorizer> authorizer_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
};

}  // namespace gateway
