#pragma once
// EtcdCancellation: lets another thread cancel a blocking call (Campaign), now or before it
// starts. The lock is held only to record the context or to call TryCancel (which does no
// I/O), never across the call itself.
#include <grpcpp/client_context.h>

#include <mutex>

namespace gateway::etcd {

class EtcdCancellation {
 public:
  /// Cancels the call in progress (it returns CANCELLED) and every later one. Idempotent.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

  /// For the client: ties `context` to this cancellation; false when already cancelled.
  bool attach(grpc::ClientContext* context) {
    std::lock_guard lock(mutex_);
    if (cancelled_) return false;
    context_ = context;
    return true;
  }
  void detach() {
    std::lock_guard lock(mutex_);
    context_ = nullptr;
  }

 private:
  mutable std::mutex mutex_;
  grpc::ClientContext* context_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace gateway::etcd
