#pragma once
// EtcdError / EtcdResult<T>: what an etcd call gives back. Errors are values (the gateway's
// hot paths use no exceptions); the message names the operation, the endpoint that answered
// (when one did) and etcd's own reason.
#include <grpcpp/support/status.h>

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gateway::etcd {

struct EtcdError {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;  ///< for a human: "etcd put /x (endpoints ...): UNAVAILABLE: ..."
};

template <class T>
class EtcdResult {
 public:
  EtcdResult(T value) : state_(std::move(value)) {}          // NOLINT: implicit, like an expected
  EtcdResult(EtcdError error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const EtcdError& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, EtcdError> state_;
};

/// For operations that return nothing but success.
struct EtcdDone {};

}  // namespace gateway::etcd
