#include "reflection_gate.hpp"

#include "crnp/structured_log.hpp"

namespace gateway::auth {
namespace {
constexpr std::string_view kLogComponent = "auth";
}  // namespace
namespace {

constexpr std::string_view kReflectionPrefix = "/grpc.reflection.";

}  // namespace

grpc::Status ReflectionGate::Process(const InputMetadata& auth_metadata,
                                     grpc::AuthContext* /*context*/,
                                     OutputMetadata* /*consumed_auth_metadata*/,
                                     OutputMetadata* /*response_metadata*/) {
  const auto pathEntry = auth_metadata.find(":path");
  if (pathEntry == auth_metadata.end()) return grpc::Status::OK;
  const std::string_view path(pathEntry->second.data(), pathEntry->second.size());
  if (!path.starts_with(kReflectionPrefix)) return grpc::Status::OK;
  const AuthDecision decision = authorizer_.decide(*tokens_.current(), path, auth_metadata);
  if (decision.allowed()) return grpc::Status::OK;
  const grpc::Status status = toStatus(decision, path);
  crnp::slog::info(kLogComponent, "call refused",
                   {{"method", path}, {"error", status.error_message()}});
  return {status.error_code(), status.error_message()};
}

}  // namespace gateway::auth
