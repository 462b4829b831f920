#pragma once
// ReplicatedDeployment: how a replica of a replicated deployment (--store etcd) is wired
// (docs/operations.md, "High availability"): the leader election, the event log in etcd (the
// hub follows it on every replica; the leader appends to it), Register / Unregister handed to
// the leader, the leader's health for the followers. On election it starts a CRNP upstream of
// its own (from the app's factory) whose events go to the log, and restores the
// registrations upstream; when the term ends it stops appending at once, takes the CRNP
// registration down when the server still answers (REMOVE_CLIENT), and stops the upstream.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "change_executor.hpp"
#include "change_forwarder.hpp"
#include "crnp_upstream.hpp"
#include "event_hub.hpp"
#include "event_log_appender.hpp"
#include "event_log_follower.hpp"
#include "gateway_collector.hpp"
#include "leader_routed_changes.hpp"
#include "registration_service.hpp"
#include "replica_leadership.hpp"
#include "replicated_upstream.hpp"

namespace gateway {

class ReplicatedDeployment {
 public:
  /// Creates and starts a term's CRNP upstream whose events go to `sink`; nullptr (with the
  /// reason logged) when it cannot start.
  using UpstreamFactory =
      std::function<std::shared_ptr<CrnpUpstream>(CrnpUpstream::EventSink sink)>;

  struct Settings {
    std::string prefix;
    std::string replicaName;
    std::chrono::seconds leaseTtl{5};
    ha::EventLogAppenderOptions log;
    /// How long a leader that steps down waits for REMOVE_CLIENT's answer.
    std::chrono::milliseconds removeClientWait{5000};
  };

  ReplicatedDeployment(etcd::EtcdClientPtr client, Settings settings,
                       boost::asio::any_io_executor timers, UpstreamFactory factory);
  ~ReplicatedDeployment();  ///< stop()s
  ReplicatedDeployment(const ReplicatedDeployment&) = delete;
  ReplicatedDeployment& operator=(const ReplicatedDeployment&) = delete;

  /// What the hub starts from (the log in etcd) and where following it begins.
  etcd::EtcdResult<ha::EventLogFollower::Loaded> loadEventLog(std::size_t ringEvents) const;

  /// The Upstream the registration service and the gRPC service use; valid from construction.
  Upstream& upstream() { return *upstream_; }
  /// The current term's CRNP upstream (metrics), or nullptr on a follower.
  std::shared_ptr<CrnpUpstream> crnpUpstream() const;

  /// Starts following the log into `hub` from `fromRevision`, handing changes to the leader,
  /// and campaigning. `registrations` (this replica's) carries out changes while it leads.
  void start(EventHub& hub, std::int64_t fromRevision, RegistrationService& registrations);
  /// Where Register / Unregister go (valid after start()).
  RegistrationChanges& changes() { return *routed_; }
  void describe(crnp::gateway::v1::DeploymentStatus* out, const EventHub& hub) const;
  ReplicationStats stats() const;
  /// Before the registration service shuts down: changes forwarded to this replica are left
  /// for the next leader instead of being refused.
  void stopCarryingOutChanges() {
    if (executor_) executor_->follow();
  }
  /// Ends the term if leading (REMOVE_CLIENT), stops campaigning and every watch. Idempotent.
  void stop();

 private:
  void onElected(const ha::LeadershipTerm& term);
  void onDeposed(const std::string& why);

  const etcd::EtcdClientPtr client_;
  const Settings settings_;
  const ha::ReplicationKeys keys_;
  const boost::asio::any_io_executor timers_;
  const UpstreamFactory factory_;
  std::shared_ptr<ha::ReplicatedUpstream> upstream_;
  RegistrationService* registrations_ = nullptr;

  mutable std::mutex termMutex_;  // the term's parts below; never held over a call
  std::shared_ptr<ha::EventLogAppender> appender_;
  std::shared_ptr<CrnpUpstream> crnp_;
  ReplicationStats pastTerms_;  // the appenders of terms that are over

  std::unique_ptr<ha::EventLogFollower> follower_;
  std::unique_ptr<ha::ChangeForwarder> forwarder_;
  std::unique_ptr<ha::ChangeExecutor> executor_;
  std::unique_ptr<ha::LeaderRoutedChanges> routed_;
  std::unique_ptr<ha::ReplicaLeadership> leadership_;
  bool stopped_ = false;
};

}  // namespace gateway
