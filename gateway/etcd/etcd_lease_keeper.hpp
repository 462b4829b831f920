#pragma once
// EtcdLeaseKeeper: keeps one lease alive from a thread of its own, renewing it every third
// of its TTL (a short LeaseKeepAlive stream each time, so no stream outlives a member). A
// failed renewal is retried every 200 ms; when the lease is gone (etcd answers TTL <= 0) or
// could not be renewed for a whole TTL, onLost runs once, on the keeper's thread, and the
// keeper stops. Destroying it stops renewing (it does not revoke the lease).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "etcd_client.hpp"

namespace gateway::etcd {

class EtcdLeaseKeeper {
 public:
  using OnLost = std::function<void(const std::string& why)>;

  EtcdLeaseKeeper(EtcdClientPtr client, std::int64_t lease, std::chrono::seconds ttl,
                  OnLost onLost);
  ~EtcdLeaseKeeper();
  EtcdLeaseKeeper(const EtcdLeaseKeeper&) = delete;
  EtcdLeaseKeeper& operator=(const EtcdLeaseKeeper&) = delete;

  std::int64_t lease() const { return lease_; }
  /// Successful renewals so far.
  int renewals() const;
  bool lost() const;

 private:
  void run();

  const EtcdClientPtr client_;
  const std::int64_t lease_;
  const std::chrono::seconds ttl_;
  const OnLost onLost_;
  mutable std::mutex mutex_;  // guards the fields below; never held over a call
  std::condition_variable wake_;
  bool stopping_ = false;
  bool lost_ = false;
  int renewals_ = 0;
  std::thread thread_;
};

}  // namespace gateway::etcd
