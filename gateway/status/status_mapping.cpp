#include "status_mapping.hpp"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "config_defaults.hpp"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace gateway {
namespace {

using crnp::RegistrationOutcome;
using crnp::StatusCode;
using std::chrono::milliseconds;
constexpr milliseconds kNoRetry{0};

// THE table. Replies: the protocol's "what a client does" column decides whether a retry can
// help (RETRY, LOW_RESOURCE); the others need a person. Transport failures are worth retrying
// (the upstream may fail over or come back), except a malformed reply, which is a server bug.
constexpr std::array<StatusMappingRow, 16> kTable{{
    {RegistrationOutcome::Replied, StatusCode::Ok, grpc::StatusCode::OK, "", "OK", "answered OK",
     kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::Retry, grpc::StatusCode::UNAVAILABLE, "CRNP_RETRY",
     "RETRY", "answered RETRY", RetryDelays::kServerBusy},
    {RegistrationOutcome::Replied, StatusCode::LowResource, grpc::StatusCode::RESOURCE_EXHAUSTED,
     "CRNP_LOW_RESOURCE", "LOW_RESOURCE", "answered LOW_RESOURCE", RetryDelays::kLowResource},
    {RegistrationOutcome::Replied, StatusCode::SystemError, grpc::StatusCode::INTERNAL,
     "CRNP_SYSTEM_ERROR", "SYSTEM_ERROR", "answered SYSTEM_ERROR", kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::Fail, grpc::StatusCode::PERMISSION_DENIED,
     "CRNP_FAIL", "FAIL", "answered FAIL", kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::Malformed, grpc::StatusCode::INTERNAL,
     "CRNP_MALFORMED", "MALFORMED", "answered MALFORMED", kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::Invalid, grpc::StatusCode::INVALID_ARGUMENT,
     "CRNP_INVALID", "INVALID", "answered INVALID", kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::VersionTooHigh,
     grpc::StatusCode::FAILED_PRECONDITION, "CRNP_VERSION_TOO_HIGH", "VERSION_TOO_HIGH",
     "answered VERSION_TOO_HIGH", kNoRetry},
    {RegistrationOutcome::Replied, StatusCode::VersionTooLow, grpc::StatusCode::FAILED_PRECONDITION,
     "CRNP_VERSION_TOO_LOW", "VERSION_TOO_LOW", "answered VERSION_TOO_LOW", kNoRetry},
    {RegistrationOutcome::ConnectionRefused, StatusCode::Ok, grpc::StatusCode::UNAVAILABLE,
     "CRNP_CONNECTION_REFUSED", "CONNECTION_REFUSED", "refused the connection",
     RetryDelays::kUnreachable},
    {RegistrationOutcome::ConnectionReset, StatusCode::Ok, grpc::StatusCode::UNAVAILABLE,
     "CRNP_CONNECTION_RESET", "CONNECTION_RESET", "reset the connection",
     RetryDelays::kUnreachable},
    {RegistrationOutcome::ResolveFailed, StatusCode::Ok, grpc::StatusCode::UNAVAILABLE,
     "CRNP_RESOLVE_FAILED", "RESOLVE_FAILED", "did not resolve", RetryDelays::kUnreachable},
    {RegistrationOutcome::NetworkError, StatusCode::Ok, grpc::StatusCode::UNAVAILABLE,
     "CRNP_NETWORK_ERROR", "NETWORK_ERROR", "could not be reached", RetryDelays::kUnreachable},
    {RegistrationOutcome::ConnectTimeout, StatusCode::Ok, grpc::StatusCode::DEADLINE_EXCEEDED,
     "CRNP_TIMEOUT", "CONNECT_TIMEOUT", "did not accept the connection in time",
     RetryDelays::kTimeout},
    {RegistrationOutcome::ReplyTimeout, StatusCode::Ok, grpc::StatusCode::DEADLINE_EXCEEDED,
     "CRNP_TIMEOUT", "REPLY_TIMEOUT", "did not reply in time", RetryDelays::kTimeout},
    {RegistrationOutcome::MalformedReply, StatusCode::Ok, grpc::StatusCode::INTERNAL,
     "CRNP_MALFORMED_REPLY", "MALFORMED_REPLY", "sent a reply that is not a valid SC_REPLY",
     kNoRetry},
}};

// Refusals before an RPC runs (gateway/auth). UNAUTHENTICATED: who are you; PERMISSION_DENIED:
// known, but not allowed.
constexpr std::array<AuthFailureRow, 3> kAuthTable{{
    {AuthFailure::TokenMissing, grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING",
     "this RPC needs 'authorization: Bearer <token>' metadata"},
    {AuthFailure::TokenInvalid, grpc::StatusCode::UNAUTHENTICATED, "TOKEN_INVALID",
     "the bearer token is not valid"},
    {AuthFailure::RoleInsufficient, grpc::StatusCode::PERMISSION_DENIED, "ROLE_INSUFFICIENT",
     "the token's role does not allow this RPC"},
}};

const StatusMappingRow& rowFor(RegistrationOutcome outcome, StatusCode code) {
  for (const auto& row : kTable) {
    if (row.outcome != outcome) continue;
    if (outcome != RegistrationOutcome::Replied || row.replyCode == code) return row;
  }
  // Every enumerator has a row (the table test walks them all); an out-of-range value read
  // from somewhere is treated as the reply we could not understand.
  return kTable.back();
}

}  // namespace

std::span<const StatusMappingRow> statusMappingTable() { return kTable; }

const StatusMappingRow& statusMappingFor(const UpstreamResult& result) {
  if (result.outcome == RegistrationOutcome::Replied && !result.code) {
    return rowFor(RegistrationOutcome::MalformedReply, StatusCode::Ok);
  }
  return rowFor(result.outcome, result.code.value_or(StatusCode::Ok));
}

grpc::Status toGrpcStatus(const UpstreamResult& result) {
  const StatusMappingRow& row = statusMappingFor(result);
  if (row.grpcCode == grpc::StatusCode::OK) return grpc::Status::OK;
  const std::string server = result.server.empty() ? "(none configured)" : result.server;
  // What the server said is its text, not ours: quoted within the same bound as a client's.
  const std::string said = crnp::echoBounded(result.message);
  std::string message = "CRNP server " + server + " " + std::string(row.description);
  if (!said.empty()) message += ": " + said;
  std::optional<milliseconds> retry;
  if (row.retryDelay > kNoRetry) retry = row.retryDelay;
  return makeErrorStatus(row.grpcCode, std::move(message), row.reason,
                         {{"crnp_status", std::string(row.crnpStatus)},
                          {"crnp_message", said},
                          {"crnp_server", result.server}},
                         retry);
}

std::span<const AuthFailureRow> authFailureTable() { return kAuthTable; }

grpc::Status authFailureStatus(AuthFailure failure, std::string_view method,
                               const std::map<std::string, std::string>& metadata) {
  const auto* row = &kAuthTable.front();
  for (const auto& candidate : kAuthTable) {
    if (candidate.failure == failure) row = &candidate;
  }
  auto details = metadata;
  details["method"] = std::string(method);
  return makeErrorStatus(row->grpcCode,
                         std::string(row->message) + " (" + std::string(method) + ")", row->reason,
                         details);
}

grpc::Status makeErrorStatus(grpc::StatusCode code, std::string message, std::string_view reason,
                             const std::map<std::string, std::string>& metadata,
                             std::optional<std::chrono::milliseconds> retryDelay) {
  message = crnp::validUtf8(message);
  google::rpc::Status status;
  status.set_code(static_cast<int>(code));
  status.set_message(message);

  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [key, value] : metadata)
    (*info.mutable_metadata())[key] = crnp::validUtf8(value);
  status.add_details()->PackFrom(info);

  if (retryDelay) {
    google::rpc::RetryInfo retry;
    *retry.mutable_retry_delay() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(retryDelay->count());
    status.add_details()->PackFrom(retry);
  }
  return grpc::Status(code, std::move(message), status.SerializeAsString());
}

}  // namespace gateway
