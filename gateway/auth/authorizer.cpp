#include "authorizer.hpp"

#include <cctype>

namespace gateway::auth {
namespace {

constexpr std::string_view kAuthorizationKey = "authorization";
constexpr std::string_view kBearer = "bearer";

bool isBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::optional<std::string_view> bearerToken(std::string_view authorization) {
  if (authorization.size() <= kBearer.size()) return std::nullopt;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) {
      return std::nullopt;
    }
  }
  std::string_view rest = authorization.substr(kBearer.size());
  if (!isBlank(rest.front())) return std::nullopt;  // "Bearerxyz"
  while (!rest.empty() && isBlank(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && isBlank(rest.back())) rest.remove_suffix(1);
  if (rest.empty()) return std::nullopt;
  return rest;
}

AuthDecision Authorizer::decide(const TokenSet& tokens, std::string_view path,
                                const ClientMetadata& metadata) const {
  AuthDecision decision;
  decision.required = policy_.required(path);
  if (decision.required == Access::Open) return decision;

  const auto [first, last] =
      metadata.equal_range(grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  if (first == last) {
    decision.failure = AuthFailure::TokenMissing;
    return decision;
  }
  if (std::next(first) != last) {  // two tokens: which one counts is not for us to guess
    decision.failure = AuthFailure::TokenInvalid;
    return decision;
  }
  const auto token = bearerToken(std::string_view(first->second.data(), first->second.size()));
  const TokenEntry* entry = token ? tokens.find(*token) : nullptr;
  if (!entry) {
    decision.failure = AuthFailure::TokenInvalid;
    return decision;
  }
  decision.caller = entry->name;
  if (!allows(entry->role, decision.required)) decision.failure = AuthFailure::RoleInsufficient;
  return decision;
}

grpc::Status toStatus(const AuthDecision& decision, std::string_view path) {
  if (decision.allowed()) return grpc::Status::OK;
  std::map<std::string, std::string> metadata;
  if (*decision.failure == AuthFailure::RoleInsufficient) {
    metadata["required_role"] = std::string(toString(decision.required));
    metadata["caller"] = decision.caller;
  }
  return authFailureStatus(*decision.failure, path, metadata);
}

}  // namespace gateway::auth
