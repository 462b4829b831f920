#pragma once
// What the upstream CRNP server said to one registration change (or why it said nothing).
// Produced by the upstream manager, mapped to a gRPC status by status_mapping.
#include <optional>
#include <string>

#include "crnp/messages.hpp"
#include "crnp/registration_client.hpp"

namespace gateway {

struct UpstreamResult {
  crnp::RegistrationOutcome outcome = crnp::RegistrationOutcome::Replied;
  std::optional<crnp::StatusCode> code;  ///< set when outcome == Replied
  std::string message;                   ///< SC_STATUS_MSG, or the transport failure's detail
  std::string server;                    ///< "host:port" of the CRNP server asked

  bool ok() const {
    return outcome == crnp::RegistrationOutcome::Replied && code == crnp::StatusCode::Ok;
  }
};

}  // namespace gateway
