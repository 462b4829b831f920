#include "crnp/sim/faults.hpp"

#include <cstddef>

namespace crnp::sim {
namespace {

std::size_t slotOf(FaultKind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

void FaultInjector::inject(const Fault& fault) {
  std::lock_guard lock(mutex_);
  armed_[slotOf(fault.kind)] = fault;
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  for (auto& slot : armed_) slot.reset();
}

std::optional<Fault> FaultInjector::take(FaultKind kind) {
  std::lock_guard lock(mutex_);
  auto& slot = armed_[slotOf(kind)];
  if (!slot) return std::nullopt;
  Fault fault = *slot;
  // count == 0 means "until cleared"; otherwise each take consumes one occasion.
  if (slot->count > 0 && --slot->count == 0) slot.reset();
  return fault;
}

}  // namespace crnp::sim
