#pragma once
// The one table from what the CRNP server said (or why it said nothing) to the gRPC status a
// client sees, and the google.rpc details every non-OK status of the gateway carries.
// docs/status-mapping.md shows the same table (a test checks they agree).
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crnp/messages.hpp"
#include "crnp/registration_client.hpp"
#include "crnp/text.hpp"
#include "upstream_result.hpp"

namespace gateway {

/// One row: an SC_REPLY code (outcome == Replied) or a transport outcome, and what it becomes.
struct StatusMappingRow {
  crnp::RegistrationOutcome outcome;
  crnp::StatusCode replyCode;  ///< meaningful only when outcome == Replied
  grpc::StatusCode grpcCode;
  std::string_view reason;               ///< ErrorInfo.reason ("" for OK)
  std::string_view crnpStatus;           ///< ErrorInfo.metadata["crnp_status"]
  std::string_view description;          ///< what happened, for the status message
  std::chrono::milliseconds retryDelay;  ///< RetryInfo.retry_delay; zero = no RetryInfo
};

/// Every row, replies first in the protocol's order, then transport outcomes.
std::span<const StatusMappingRow> statusMappingTable();

/// The row for one upstream answer. A Replied result without a code counts as a malformed
/// reply.
const StatusMappingRow& statusMappingFor(const UpstreamResult& result);

/// The table applied: OK when result.ok(); otherwise the row's code, a message naming the
/// server and what it said, and details (ErrorInfo with metadata crnp_status, crnp_message,
/// crnp_server; RetryInfo where retrying helps).
grpc::Status toGrpcStatus(const UpstreamResult& result);

/// Why a caller was refused before its RPC ran (gateway/auth decides; this table says what the
/// client sees).
enum class AuthFailure {
  TokenMissing,      ///< no `authorization: Bearer <token>` metadata
  TokenInvalid,      ///< a token that is not in the token file (or a malformed header)
  RoleInsufficient,  ///< a known token whose role does not allow the RPC
};

struct AuthFailureRow {
  AuthFailure failure;
  grpc::StatusCode grpcCode;
  std::string_view reason;   ///< ErrorInfo.reason
  std::string_view message;  ///< the status message (never quotes the token)
};

/// The auth rows: TOKEN_MISSING and TOKEN_INVALID are UNAUTHENTICATED, ROLE_INSUFFICIENT is
/// PERMISSION_DENIED.
std::span<const AuthFailureRow> authFailureTable();

/// The row applied: ErrorInfo{reason, domain, metadata {method, and for ROLE_INSUFFICIENT
/// required_role and caller}}; no RetryInfo.
grpc::Status authFailureStatus(AuthFailure failure, std::string_view method,
                               const std::map<std::string, std::string>& metadata = {});

/// A non-OK status with google.rpc.Status details: the same code and message, an ErrorInfo
/// {reason, domain "crnp-gateway", metadata}, and a RetryInfo when retryDelay is set. The
/// message and the metadata values are made valid UTF-8 (proto3 strings must be, or the client
/// cannot parse the details); bounding them is the caller's job, with echoBounded.
grpc::Status makeErrorStatus(grpc::StatusCode code, std::string message, std::string_view reason,
                             const std::map<std::string, std::string>& metadata = {},
                             std::optional<std::chrono::milliseconds> retryDelay = std::nullopt);

}  // namespace gateway
