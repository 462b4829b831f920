#pragma once
// Checks on what clients send, before anything is queued or goes upstream. Every failure is an
// INVALID_ARGUMENT with google.rpc details (ErrorInfo reason INVALID_REGISTRATION_ID,
// NO_EVENT_TYPES, TOO_MANY_EVENT_TYPES or INVALID_EVENT_TYPE). Text must be representable in a
// CRNP (XML 1.0) document: UTF-8 XML characters only, within the length limits.
#include <grpcpp/support/status.h>

#include <string_view>
#include <vector>

#include "config_defaults.hpp"
#include "crnp/gateway/v1/gateway.pb.h"
#include "crnp/messages.hpp"

namespace gateway {

/// [A-Za-z0-9._-]{1,limits.maxIdLength}.
grpc::Status validateRegistrationId(std::string_view id, const RegistrationLimits& limits);

/// NOT_FOUND, ErrorInfo REGISTRATION_NOT_FOUND with the id (within the echo bound):
/// registration "<id>" <what>.
grpc::Status registrationNotFound(std::string_view id, std::string_view what = "does not exist");

/// UNAVAILABLE, ErrorInfo SHUTTING_DOWN: a change refused or left unanswered at shutdown.
grpc::Status changeRefusedShuttingDown();

struct ValidatedTypes {
  grpc::Status status;                 ///< OK, or why the list is refused
  std::vector<crnp::EventType> types;  ///< converted, duplicates removed (first one kept)
};

enum class TypesRequired { AtLeastOne, MayBeEmpty };

/// Converts and checks each type (crnp::validateEventType plus the limits), then de-duplicates.
ValidatedTypes validateEventTypes(
    const google::protobuf::RepeatedPtrField<crnp::gateway::v1::EventType>& types,
    const RegistrationLimits& limits, TypesRequired required);

}  // namespace gateway
