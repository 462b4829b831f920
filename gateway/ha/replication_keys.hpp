#pragma once
// Where a replicated deployment keeps its shared state in etcd, under --etcd-prefix P:
//
//   P/registrations/<id>        registrations (EtcdRegistry)
//   P/events/log/<16 hex>       the event log: one key per event, in append order; the leader
//                               trims the oldest beyond the ring's size. A key's mod_revision is
//                               the event's sequence number (resume tokens carry it).
//   P/events/latest/<key JSON>  the latest event of each event key (crnp::eventKey), for
//                               snapshots of replicas that start after it was trimmed
//   P/leader                    the election (etcd's Election service; the value is the name)
//   P/upstream-health           the leader's CRNP registration health (JSON, on its lease)
//   P/changes/<replica>/<id>    Register / Unregister handed to the leader by a follower
//   P/answers/<replica>/<id>    the leader's answers
// One owner for this layout: every component takes its keys from here.
#include <cstdint>
#include <cstdio>
#include <string>

namespace gateway::ha {

struct ReplicationKeys {
  explicit ReplicationKeys(const std::string& etcdPrefix)
      : prefix(etcdPrefix),
        eventLog(etcdPrefix + "/events/log/"),
        latestEvents(etcdPrefix + "/events/latest/"),
        election(etcdPrefix + "/leader"),
        upstreamHealth(etcdPrefix + "/upstream-health"),
        changes(etcdPrefix + "/changes/"),
        answers(etcdPrefix + "/answers/") {}

  /// Log keys sort in append order: fixed-width hex of a counter the leader continues.
  std::string logKey(std::uint64_t counter) const {
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(counter));
    return eventLog + digits;
  }

  std::string prefix;  ///< --etcd-prefix
  std::string eventLog;
  std::string latestEvents;
  std::string election;
  std::string upstreamHealth;
  std::string changes;
  std::string answers;
};

}  // namespace gateway::ha
