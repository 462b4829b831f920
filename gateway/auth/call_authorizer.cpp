#include "call_authorizer.hpp"

#include "crnp/structured_log.hpp"

namespace gateway::auth {
namespace {
constexpr std::string_view kLogComponent = "auth";
}  // namespace
namespace {

class AllowAll final : public CallAuthorizer {
 public:
  grpc::Status authorize(const grpc::ServerContextBase&, std::string_view) const override {
    return grpc::Status::OK;
  }
};

std::string_view reasonOf(AuthFailure failure) {
  for (const auto& row : authFailureTable()) {
    if (row.failure == failure) return row.reason;
  }
  return "?";
}

}  // namespace

const CallAuthorizer& allowAllCallers() {
  static const AllowAll instance;
  return instance;
}

grpc::Status TokenCallAuthorizer::authorize(const grpc::ServerContextBase& context,
                                            std::string_view path) const {
  const TokenSetPtr tokens = tokens_.current();
  const AuthDecision decision = authorizer_.decide(*tokens, path, context.client_metadata());
  if (decision.allowed()) {
    if (!decision.caller.empty()) {
      crnp::slog::debug(kLogComponent, "call allowed",
                        {{"method", path}, {"token_name", decision.caller}});
    }
    return grpc::Status::OK;
  }
  // The peer and the token's name (when known) identify the caller; the token never appears.
  crnp::slog::info(kLogComponent, "call refused",
                   {{"method", path},
                    {"reason", reasonOf(*decision.failure)},
                    {"peer", context.peer()},
                    {"token_name", decision.caller}});
  return toStatus(decision, path);
}

}  // namespace gateway::auth
