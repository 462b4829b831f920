#pragma once
// StreamCallObserver: what the Subscribe streams report for the gRPC server metrics
// (grpc_server_started/handled/msg_sent/msg_received). Subscribe is left out of the metrics
// interceptor: with an interceptor every message of a stream goes through gRPC's interception
// machinery, which cost more than the send itself; a stream counts its own messages instead.
#include <grpcpp/support/status.h>

namespace gateway {

class StreamCallObserver {
 public:
  virtual ~StreamCallObserver() = default;
  /// A Subscribe call started (its request was received).
  virtual void started() = 0;
  /// One message written on a stream (a batch is one message).
  virtual void messageSent() = 0;
  /// A call ended with `code` (once per started call).
  virtual void handled(grpc::StatusCode code) = 0;

  /// An observer that records nothing (tests, or no metrics).
  static StreamCallObserver& none();
};

}  // namespace gateway
