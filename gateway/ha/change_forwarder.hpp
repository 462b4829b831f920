#pragma once
// ChangeForwarder: a follower's way to have the leader carry out Register / Unregister.
// The change goes to etcd under <prefix>/changes/<replica>/<id>, tied to this replica's lease
// (it vanishes if this replica dies before an answer); the leader's ChangeExecutor carries it
// out and writes its answer under <prefix>/answers/<replica>/<id>, which this replica watches.
//
// The caller waits until its deadline, at most kMaxWait: a change the leader did not answer
// by then (no leader, or a failover in progress) is withdrawn when it is still there and the
// caller gets DEADLINE_EXCEEDED (LEADER_DID_NOT_ANSWER). As with any RPC that ran out of
// time, the change may still have been carried out; GetRegistration tells.
//
// etcd is written from a thread of its own (forward() is called on gRPC's threads, which must
// not block); deadlines are Asio timers.
#include <grpcpp/support/status.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crnp/gateway/replication/v1/forwarding.pb.h"
#include "etcd_client.hpp"
#include "etcd_watch.hpp"
#include "replication_keys.hpp"
#include "serial_worker.hpp"

namespace gateway::ha {

class ChangeForwarder {
 public:
  using Answered =
      std::function<void(grpc::Status, const crnp::gateway::replication::v1::ForwardedAnswer&)>;
  static constexpr std::chrono::seconds kMaxWait{30};

  /// `lease` gives this replica's current etcd lease (0: none yet).
  ChangeForwarder(etcd::EtcdClientPtr client, ReplicationKeys keys, std::string replicaName,
                  std::function<std::int64_t()> lease, boost::asio::any_io_executor timers);
  /// Answers what is still waiting with UNAVAILABLE (shutting down).
  ~ChangeForwarder();
  ChangeForwarder(const ChangeForwarder&) = delete;
  ChangeForwarder& operator=(const ChangeForwarder&) = delete;

  /// Follows the answers to this replica (from now on).
  void start();
  /// Hands `change` to the leader; `done` runs once, on any thread.
  void forward(crnp::gateway::replication::v1::ForwardedChange change,
               std::chrono::system_clock::time_point deadline, Answered done);
  /// Answers everything still waiting with UNAVAILABLE and refuses new changes.
  void stop();

 private:
  struct Waiting {
    Answered done;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  void onAnswers(const etcd::EtcdWatchBatch& batch);
  void expire(const std::string& id);
  std::optional<Waiting> take(const std::string& id);

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  const std::string changePrefix_;  // <prefix>/changes/<replica>/
  const std::string answerPrefix_;  // <prefix>/answers/<replica>/
  const std::function<std::int64_t()> lease_;
  const boost::asio::any_io_executor timers_;
  std::mutex mutex_;  // waiting_ and stopped_; never held over a call
  std::map<std::string, Waiting> waiting_;
  bool stopped_ = false;
  SerialWorker writer_;
  std::unique_ptr<etcd::EtcdWatch> watch_;
};

}  // namespace gateway::ha
