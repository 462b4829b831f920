#pragma once
// CallAuthorizer: what a service asks once per RPC, before it reads the request or writes
// anything: OK, or the status to finish the call with. TokenCallAuthorizer applies the
// Authorizer to the current token set (reloaded behind it) and logs refusals by the token's
// name or the peer, never the token.
#include <grpcpp/server_context.h>

#include <string_view>

#include "authorizer.hpp"
#include "token_store.hpp"

namespace gateway::auth {

class CallAuthorizer {
 public:
  virtual ~CallAuthorizer() = default;
  /// `path` is the call's full method name, "/package.Service/Method".
  virtual grpc::Status authorize(const grpc::ServerContextBase& context,
                                 std::string_view path) const = 0;
};

/// Every call allowed: the gateway without --auth-tokens.
const CallAuthorizer& allowAllCallers();

class TokenCallAuthorizer final : public CallAuthorizer {
 public:
  /// `tokens` must outlive this object.
  TokenCallAuthorizer(const TokenStore& tokens, AccessPolicy policy)
      : tokens_(tokens), authorizer_(policy) {}

  // CallAuthorizer
  grpc::Status authorize(const grpc::ServerContextBase& context,
                         std::string_view path) const override;

 private:
  const TokenStore& tokens_;
  const Authorizer authorizer_;
};

}  // namespace gateway::auth
