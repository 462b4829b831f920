#include "callback_admission.hpp"

#include <algorithm>
#include <cassert>

namespace crnp::detail {

CallbackAdmission::CallbackAdmission(AdmissionLimits limits, AddressFilter priorityPeers)
    : limits_(limits), priorityPeers_(std::move(priorityPeers)) {}

bool CallbackAdmission::isPriority(const boost::asio::ip::address& peer) const {
  return !priorityPeers_.empty() && priorityPeers_.matches(peer);
}

std::size_t CallbackAdmission::sharedPool() const {
  if (priorityPeers_.empty()) return limits_.maxConnections;
  // At least one connection for everyone else, whatever the reservation says.
  return std::max<std::size_t>(
      1, limits_.maxConnections - std::min(limits_.reservedForPriority, limits_.maxConnections));
}

CallbackAdmission::Verdict CallbackAdmission::admit(const boost::asio::ip::address& peer) {
  const bool priority = isPriority(peer);
  if (!priority) {
    if (openFrom(peer) >= limits_.maxPerPeer) return Verdict::OverPeerShare;
    if (openShared_ >= sharedPool()) return Verdict::OverSharedPool;
    ++openShared_;
  }
  ++perPeer_[peer];
  ++open_;
  return Verdict::Read;
}

void CallbackAdmission::release(const boost::asio::ip::address& peer) {
  auto it = perPeer_.find(peer);
  assert(it != perPeer_.end() && open_ > 0);
  if (it == perPeer_.end()) return;
  if (--it->second == 0) perPeer_.erase(it);
  --open_;
  if (!isPriority(peer)) --openShared_;
}

std::size_t CallbackAdmission::openFrom(const boost::asio::ip::address& peer) const {
  auto it = perPeer_.find(peer);
  return it == perPeer_.end() ? 0 : it->second;
}

}  // namespace crnp::detail
