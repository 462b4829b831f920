#pragma once
// Which event connections the callback listener takes, without I/O (the listener asks, then
// acts). Two rules keep events from being lost:
// - At `maxConnections` open the listener stops accepting instead of accepting and closing:
//   the kernel's backlog holds the next connection, so a flood delays the cluster's delivery
//   but cannot make the listener drop it (CRNP has no acknowledgement and no retry of a
//   delivery the server believes made).
// - The configured CRNP servers' addresses (`priorityPeers`) can never be starved by another
//   allowed address: other addresses share at most maxConnections - reservedForPriority
//   connections, and each at most maxPerPeer. A connection from such an address over its share
//   is closed unread. Priority peers are bounded only by maxConnections: closing one of their
//   connections could lose a real event.
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <map>

#include "crnp/address_filter.hpp"

namespace crnp::detail {

struct AdmissionLimits {
  std::size_t maxConnections = 256;  ///< open connections at most (>= 1)
  std::size_t maxPerPeer = 32;       ///< per address that is not a priority peer (>= 1)
  /// Connections only priority peers may use; ignored when there are no priority peers.
  std::size_t reservedForPriority = 64;
};

class CallbackAdmission {
 public:
  enum class Verdict {
    Read,            ///< take it: counted as open until release()
    OverPeerShare,   ///< not a priority peer and over its own limit: close it unread
    OverSharedPool,  ///< not a priority peer and the shared pool is full: close it unread
  };

  CallbackAdmission(AdmissionLimits limits, AddressFilter priorityPeers);

  /// Whether the listener should have an accept outstanding.
  bool canAccept() const { return open_ < limits_.maxConnections; }
  /// Decides on a connection just accepted from `peer` (normalized).
  Verdict admit(const boost::asio::ip::address& peer);
  /// A connection admitted with Verdict::Read from `peer` has ended.
  void release(const boost::asio::ip::address& peer);

  bool isPriority(const boost::asio::ip::address& peer) const;
  std::size_t open() const { return open_; }
  std::size_t openFrom(const boost::asio::ip::address& peer) const;
  const AdmissionLimits& limits() const { return limits_; }

 private:
  std::size_t sharedPool() const;

  const AdmissionLimits limits_;
  const AddressFilter priorityPeers_;
  std::size_t open_ = 0;
  std::size_t openShared_ = 0;  // of open_, from non-priority peers
  std::map<boost::asio::ip::address, std::size_t> perPeer_;
};

}  // namespace crnp::detail
