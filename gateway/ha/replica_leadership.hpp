#pragma once
// ReplicaLeadership: this replica's part in the deployment's leader election (etcd's Election
// service on <prefix>/leader, the key tied to an etcd lease of --leader-lease-ttl).
//
// One thread campaigns: it grants a lease, keeps it alive (EtcdLeaseKeeper), and campaigns
// with the replica's name as the value. When elected it runs onElected; the term lasts until
// the lease is lost (not renewed for a whole TTL: etcd is unreachable, or this process was
// stopped long enough for another replica to take over), stepDown() is called (the event log
// found the election key gone), or stop(). Then onDeposed runs (stop ingesting at once, take
// the CRNP registration down when possible), the replica resigns and revokes the lease when
// etcd answers (so another replica takes over at once instead of after the TTL), and
// campaigns again with a new lease.
//
// Another thread observes the election (EtcdLeaderObserver) for the leader's name.
// onElected / onDeposed run on the campaign thread, in turn, and may block briefly.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "etcd_client.hpp"
#include "etcd_leader_observer.hpp"
#include "replication_keys.hpp"

namespace gateway::ha {

struct LeadershipTerm {
  v3electionpb::LeaderKey key;  ///< the election key (name, key, create revision, lease)
};

class ReplicaLeadership {
 public:
  struct Handlers {
    std::function<void(const LeadershipTerm&)> onElected;
    std::function<void(const std::string& why)> onDeposed;
  };

  ReplicaLeadership(etcd::EtcdClientPtr client, ReplicationKeys keys, std::string replicaName,
                    std::chrono::seconds leaseTtl, Handlers handlers);
  ~ReplicaLeadership();  ///< stop()s
  ReplicaLeadership(const ReplicaLeadership&) = delete;
  ReplicaLeadership& operator=(const ReplicaLeadership&) = delete;

  /// Starts campaigning and observing.
  void start();
  /// Ends the term if any (onDeposed, resign, revoke) and joins the threads. Idempotent.
  void stop();
  /// Ends the current term (from any thread but the campaign thread's handlers).
  void stepDown(const std::string& why);

  bool leads() const;
  /// The leading replica's name as last observed; empty before the first observation.
  std::string leader() const;
  /// This replica's current lease (0 while it has none): keys it writes for its followers'
  /// requests are tied to it, so they vanish with this replica.
  std::int64_t lease() const;

 private:
  void campaignLoop();
  bool waitUnlessStopping(std::chrono::milliseconds delay);

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  const std::string replicaName_;
  const std::chrono::seconds leaseTtl_;
  const Handlers handlers_;

  mutable std::mutex mutex_;  // the fields below; never held over a call
  std::condition_variable wake_;
  bool stopping_ = false;
  bool termOver_ = false;  // lease lost or stepDown during a term
  std::string termOverWhy_;
  bool leads_ = false;
  std::int64_t lease_ = 0;
  std::string leader_;
  std::shared_ptr<etcd::EtcdCancellation> campaignCancel_;

  std::unique_ptr<etcd::EtcdLeaderObserver> observer_;
  std::thread thread_;
};

}  // namespace gateway::ha
