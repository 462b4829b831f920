#pragma once
// Fault injection for the simulated server (driven by the control API and tests).
// Thread-safe. Each fault applies to the next `count` occasions (0 = until cleared).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "crnp/messages.hpp"

namespace crnp::sim {

enum class FaultKind {
  ReplyCode,          ///< answer the next valid registrations with `code` (state unchanged)
  DropReply,          ///< process the request, then close without replying
  DelayReply,         ///< process, wait `delay`, then reply
  RefuseDelivery,     ///< delivery attempts fail at once
  BlackholeDelivery,  ///< delivery attempts hang until Client_timeout
  FailPersist         ///< state-file writes fail (the request is answered SYSTEM_ERROR)
};

struct Fault {
  FaultKind kind = FaultKind::ReplyCode;
  std::uint32_t count = 1;
  StatusCode code = StatusCode::Retry;  ///< for ReplyCode
  std::chrono::milliseconds delay{0};   ///< for DelayReply
};

class FaultInjector {
 public:
  void inject(const Fault& fault);
  void clear();
  /// Consumes one occasion of a fault of `kind` if one is armed and returns it.
  std::optional<Fault> take(FaultKind kind);

 private:
  mutable std::mutex mutex_;
  std::optional<Fault> armed_[6];
};

}  // namespace crnp::sim
