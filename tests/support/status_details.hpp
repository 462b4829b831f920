#pragma once
// Reads the google.rpc.Status details of a grpc::Status back (what a client sees in the
// grpc-status-details-bin trailer), for tests.
#include <grpcpp/support/status.h>

#include <optional>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace gateway::test {

struct StatusDetails {
  bool parsed = false;  ///< error_details() held a google.rpc.Status
  google::rpc::Status status;
  std::optional<google::rpc::ErrorInfo> errorInfo;
  std::optional<google::rpc::RetryInfo> retryInfo;
  int unknownDetails = 0;  ///< details of other types, or that did not unpack
};

inline StatusDetails parseStatusDetails(const grpc::Status& status) {
  StatusDetails out;
  if (status.error_details().empty() || !out.status.ParseFromString(status.error_details())) {
    return out;
  }
  out.parsed = true;
  for (const auto& any : out.status.details()) {
    if (any.Is<google::rpc::ErrorInfo>() && !out.errorInfo) {
      if (any.UnpackTo(&out.errorInfo.emplace())) continue;
    } else if (any.Is<google::rpc::RetryInfo>() && !out.retryInfo) {
      if (any.UnpackTo(&out.retryInfo.emplace())) continue;
    }
    ++out.unknownDetails;
  }
  return out;
}

}  // namespace gateway::test
