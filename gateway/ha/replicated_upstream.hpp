#pragma once
// ReplicatedUpstream: the Upstream the rest of a replica sees when the deployment is
// replicated. On the leader it is the term's real upstream (CrnpUpstream, created per term by
// the app); on a follower there is none: registration changes are the leader's (the
// follower's RegistrationService never asks, see LeaderRoutedChanges), and health is the
// leader's, as the leader publishes it under <prefix>/upstream-health (on its lease, so it
// disappears with the leader).
//
// Publishing runs on a thread of its own (the term's health listener is called on the
// upstream's Asio thread, which must not wait for etcd); the followers' view comes from a
// watch of that key.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "etcd_client.hpp"
#include "etcd_watch.hpp"
#include "replication_keys.hpp"
#include "upstream.hpp"

namespace gateway::ha {

/// The leader's health as stored in etcd (JSON).
std::string encodeUpstreamHealth(const UpstreamHealth& health, const std::string& replica);
std::optional<UpstreamHealth> decodeUpstreamHealth(std::string_view text);

class ReplicatedUpstream final : public Upstream {
 public:
  ReplicatedUpstream(etcd::EtcdClientPtr client, ReplicationKeys keys, std::string replicaName);
  ~ReplicatedUpstream() override;
  ReplicatedUpstream(const ReplicatedUpstream&) = delete;
  ReplicatedUpstream& operator=(const ReplicatedUpstream&) = delete;

  /// Reads the leader's published health and starts following it.
  void start();
  /// This replica leads with `term` (health published on `lease`) until follow().
  void lead(UpstreamPtr term, std::int64_t lease);
  /// The term is over: changes are refused, health is the leader's again (the app stops the
  /// term's upstream).
  void follow();
  /// The current term's upstream, or nullptr on a follower.
  UpstreamPtr term() const;

  // Upstream
  void applyTypes(std::vector<crnp::EventType> types,
                  std::function<void(UpstreamResult)> done) override;
  void converge(std::vector<crnp::EventType> types) override;
  UpstreamHealth health() const override;
  void setHealthListener(std::function<void(const UpstreamHealth&)> listener) override;

 private:
  void onTermHealth(const UpstreamPtr& term, const UpstreamHealth& health);
  void onPublished(const std::optional<UpstreamHealth>& health);
  void reportIfChanged();
  void publishLoop();

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  const std::string replicaName_;
  std::function<void(const UpstreamHealth&)> listener_;

  mutable std::mutex mutex_;  // the fields below; never held over a call
  UpstreamPtr term_;
  std::int64_t termLease_ = 0;
  UpstreamHealth published_;  // the leader's, from etcd
  bool lastReportedHealthy_ = false;
  bool reportedOnce_ = false;
  // Health to publish (latest only) and the publishing thread.
  std::optional<std::pair<UpstreamHealth, std::int64_t>> toPublish_;
  std::condition_variable publishWake_;
  bool stopping_ = false;
  std::thread publisher_;
  std::unique_ptr<etcd::EtcdWatch> watch_;
};

}  // namespace gateway::ha
