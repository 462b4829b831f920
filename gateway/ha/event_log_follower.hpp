#pragma once
// EventLogFollower: a replica's side of the deployment's event log in etcd (layout in
// replication_keys.hpp). Every replica, the leader included, serves Subscribe from it: the
// leader appends what the cluster sends (EventLogAppender), every replica's hub ingests the
// log in revision order, so all replicas give the same events the same sequence numbers (their
// etcd revisions) and one resume token is valid on any of them and across restarts.
//
// load() reads the log and the latest event of each key at one revision: what the hub starts
// from. The follower then watches the log from the next revision and hands each appended event
// to EventHub::ingestAt (a repeat of the latest event of its key is suppressed there, the same
// way on every replica). When etcd compacted history the watch still needed (this replica was
// cut off for long), it reads the log again: when the log still reaches back to what the hub
// has, nothing was missed; otherwise the hub declares the gap (its streams resume and reset).
//
// The epoch of the tokens comes from the etcd cluster's id and the prefix: the same for every
// replica of a deployment, different for another deployment or a rebuilt etcd cluster.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "etcd_client.hpp"
#include "etcd_watch.hpp"
#include "event_hub.hpp"
#include "replication_keys.hpp"

namespace gateway::ha {

class EventLogFollower {
 public:
  struct Loaded {
    RecoveredEvents recovered;  ///< epoch, numbering, retained and latest events
    std::int64_t revision = 0;  ///< read at this revision: the watch goes on from the next
  };

  /// Reads the log (in pages) and the latest events at one revision. `ringEvents` bounds what
  /// is kept for resume, as the hub's ring does.
  static etcd::EtcdResult<Loaded> load(etcd::EtcdClient& client, const ReplicationKeys& keys,
                                       std::size_t ringEvents);

  /// The tokens' epoch of a deployment.
  static std::uint64_t epochOf(std::uint64_t clusterId, const std::string& prefix);

  /// Follows the log from `fromRevision` into `hub` (which must outlive the follower).
  EventLogFollower(etcd::EtcdClientPtr client, ReplicationKeys keys, EventHub& hub,
                   std::int64_t fromRevision);
  ~EventLogFollower();  ///< stops the watch
  EventLogFollower(const EventLogFollower&) = delete;
  EventLogFollower& operator=(const EventLogFollower&) = delete;

 private:
  void apply(const etcd::EtcdWatchBatch& batch);
  std::optional<std::int64_t> reloadAfterCompaction(std::int64_t compactRevision);

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  EventHub& hub_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<etcd::EtcdWatch> watch_;
};

}  // namespace gateway::ha
