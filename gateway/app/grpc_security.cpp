#include "grpc_security.hpp"

#include "crnp/structured_log.hpp"
#include "reflection_gate.hpp"
#include "tls_credentials.hpp"

namespace gateway {

std::unique_ptr<GrpcSecurity> GrpcSecurity::create(const GatewayOptions& options,
                                                   std::string& error) {
  std::unique_ptr<GrpcSecurity> security(new GrpcSecurity());
  const auth::AccessPolicy policy(options.authReflection);
  if (!options.authTokens.empty()) {
    auto load = auth::loadTokenFile(options.authTokens);
    if (!load.tokens) {
      error = load.error;
      return nullptr;
    }
    crnp::slog::info("auth", "token file loaded",
                     {{"file", options.authTokens}, {"tokens", load.tokens->size()}});
    security->tokens_ = std::make_unique<auth::TokenStore>(load.tokens);
    security->reloader_ =
        std::make_unique<auth::TokenFileReloader>(options.authTokens, *security->tokens_, load);
    security->authorizer_ = std::make_unique<auth::TokenCallAuthorizer>(*security->tokens_, policy);
  }

  if (options.tlsCert.empty()) {
    if (security->tokens_) {
      crnp::slog::warn("auth",
                       "--auth-tokens without --tls-cert: tokens cross the network in clear "
                       "text (acceptable only behind a TLS-terminating proxy on the same host)");
    }
    security->credentials_ = grpc::InsecureServerCredentials();
  } else {
    auth::TlsFiles files{
        options.tlsCert, options.tlsKey, options.tlsClientCa,
        std::chrono::duration_cast<std::chrono::seconds>(options.securityReloadInterval)};
    if (auto problem = auth::checkTlsFiles(files)) {
      error = *problem;
      return nullptr;
    }
    security->credentials_ = auth::makeTlsServerCredentials(files);
  }
  if (options.authReflection) {
    if (!security->tokens_ || options.tlsCert.empty()) {  // parseGatewayOptions refuses this too
      error = "--auth-reflection needs --auth-tokens and --tls-cert";
      return nullptr;
    }
    security->credentials_->SetAuthMetadataProcessor(
        std::make_shared<auth::ReflectionGate>(*security->tokens_, policy));
  }
  return security;
}

const auth::CallAuthorizer& GrpcSecurity::authorizer() const {
  return authorizer_ ? *authorizer_ : auth::allowAllCallers();
}

crnp::sim::ControlService::CallGuard GrpcSecurity::simControlGuard() const {
  if (!authorizer_) return {};
  return [authorizer = authorizer_.get()](const grpc::CallbackServerContext& context,
                                          std::string_view path) {
    return authorizer->authorize(context, path);
  };
}

void GrpcSecurity::reloadTokens() {
  if (reloader_) reloader_->check();
}

}  // namespace gateway
