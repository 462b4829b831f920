#pragma once
// Authorizer: the pure decision for one call, from the token set, the call's path and the
// client's metadata (`authorization: Bearer <token>`). No I/O, no logging, no gRPC server:
// tests give it a set and metadata and read the decision.
#include <grpcpp/support/string_ref.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "access_policy.hpp"
#include "status_mapping.hpp"
#include "token_set.hpp"

namespace gateway::auth {

/// What gRPC gives a server handler (ServerContextBase::client_metadata()).
using ClientMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;

struct AuthDecision {
  std::optional<AuthFailure> failure;  ///< nullopt: allowed
  Access required = Access::Write;
  std::string caller;  ///< the token's name when the token is known, else ""
  bool allowed() const { return !failure; }
};

/// The token of an `authorization` value: scheme "Bearer" (any case), blanks, the token.
/// nullopt when the value is not of that form.
std::optional<std::string_view> bearerToken(std::string_view authorization);

class Authorizer {
 public:
  explicit Authorizer(AccessPolicy policy) : policy_(policy) {}

  /// The decision for a call to `path`. Open calls are allowed whatever the metadata says;
  /// others need exactly one `authorization` entry whose bearer token is in `tokens` with a
  /// role that allows the call.
  AuthDecision decide(const TokenSet& tokens, std::string_view path,
                      const ClientMetadata& metadata) const;

  const AccessPolicy& policy() const { return policy_; }

 private:
  AccessPolicy policy_;
};

/// The refusal as the client sees it (status_mapping's auth rows), OK when allowed.
grpc::Status toStatus(const AuthDecision& decision, std::string_view path);

}  // namespace gateway::auth
