#pragma once
// ChangeExecutor: the leader's side of forwarded changes (ChangeForwarder). Every replica
// watches <prefix>/changes/; the one that leads carries each change out with its own
// RegistrationService (so changes from every replica run in one queue, in one order, with
// the same status mapping) and writes the answer under <prefix>/answers/<replica>/<id>, tied
// to the requesting replica's lease, deleting the change in the same Txn.
//
// When it becomes leader it also carries out the changes still waiting (made during the
// election, or taken by a leader that died before it answered: a Register with an id, which
// followers always give, is idempotent). A change whose term ends before its answer (the
// upstream refused because this replica no longer leads) is left for the next leader.
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "etcd_client.hpp"
#include "etcd_watch.hpp"
#include "registration_changes.hpp"
#include "replication_keys.hpp"
#include "serial_worker.hpp"

namespace gateway::ha {

class ChangeExecutor {
 public:
  /// `local` (this replica's RegistrationService) must outlive the executor.
  ChangeExecutor(etcd::EtcdClientPtr client, ReplicationKeys keys, RegistrationChanges& local);
  ~ChangeExecutor();  ///< stop()s
  ChangeExecutor(const ChangeExecutor&) = delete;
  ChangeExecutor& operator=(const ChangeExecutor&) = delete;

  /// Starts following <prefix>/changes/ (from now on).
  void start();
  /// This replica leads: carries out what waits, and every change from now on.
  void lead();
  /// The term is over: changes are left to the next leader.
  void follow();
  /// Ends the watch; answers still being computed are written by the worker until stop().
  void stop();

 private:
  void execute(const mvccpb::KeyValue& change);
  void answer(const std::string& changeKey, std::int64_t lease, const std::string& value);

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  RegistrationChanges& local_;
  std::mutex mutex_;  // the fields below; never held over a call
  bool leading_ = false;
  std::uint64_t term_ = 0;          // counts lead() calls
  std::set<std::string> inFlight_;  // change keys being carried out
  SerialWorker writer_;
  std::unique_ptr<etcd::EtcdWatch> watch_;
};

}  // namespace gateway::ha
