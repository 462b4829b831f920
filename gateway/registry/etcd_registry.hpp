#pragma once
// EtcdRegistry: registrations shared by several replicas through etcd. Each one is a JSON
// record (registration_json.hpp) under <prefix>/registrations/<id>.
//
// open() reads them all (one Range, at revision R) and then follows every change under the
// prefix with an EtcdWatch from R+1, so a registration written by another replica shows up
// here without a restart. put/remove return once etcd answered (the change is committed by a
// majority of the members) and publish the change at once, so a caller reads its own write.
//
// Ordering: a change carries its etcd revision. The watch delivers changes in revision order;
// a local write is published only if it is newer than what the watch has delivered and than
// any earlier local write to the same id (`ahead_`), so a late answer never brings back an
// older state. When etcd compacted the history the watch needed, the registry reloads (a
// new Range) and the watch continues from there.
//
// Threads: the watch's thread applies remote changes; writers call etcd without any lock and
// take `stateMutex_` only to build and publish the next snapshot.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "etcd_client.hpp"
#include "etcd_watch.hpp"
#include "record_snapshot.hpp"
#include "registry.hpp"

namespace gateway {

class EtcdRegistry final : public Registry {
 public:
  /// Loads <prefix>/registrations/ and starts following it. The error names the key of a
  /// record that cannot be read, or what failed in etcd.
  static OpenResult open(etcd::EtcdClientPtr client, const std::string& prefix);

  ~EtcdRegistry() override;
  EtcdRegistry(const EtcdRegistry&) = delete;
  EtcdRegistry& operator=(const EtcdRegistry&) = delete;

  /// <prefix>/registrations/
  static std::string keyPrefix(const std::string& prefix) { return prefix + "/registrations/"; }

  // Registry
  std::optional<RegistrationRecord> get(const std::string& id) const override {
    return snapshot_.get(id);
  }
  std::optional<std::vector<crnp::EventType>> typesOf(const std::string& id) const override {
    return snapshot_.typesOf(id);
  }
  std::vector<RegistrationRecord> list() const override { return snapshot_.list(); }
  std::size_t size() const override { return snapshot_.size(); }
  std::optional<std::string> put(const RegistrationRecord& record) override;
  std::optional<std::string> remove(const std::string& id) override;
  void setRemoteChangeListener(ChangeListener listener) override;

 private:
  using Records = RecordSnapshot::Records;

  EtcdRegistry(etcd::EtcdClientPtr client, std::string keyPrefix);
  /// Reads every record (one Range) and publishes them; the revision read at.
  etcd::EtcdResult<std::int64_t> load();
  void applyWatched(const etcd::EtcdWatchBatch& batch);
  std::optional<std::int64_t> reloadAfterCompaction(std::int64_t compactRevision);
  /// Publishes a local write at `revision` unless the watch or a later write got there first.
  void applyLocal(const std::string& id, const std::optional<RegistrationRecord>& record,
                  std::int64_t revision);
  /// Tells the listener what differs between `before` and the current snapshot (on the
  /// watch's thread, after publishing; no lock held).
  void notifyChanges(const RecordSnapshot::RecordsPtr& before);
  /// The record stored under `key`, or nullopt (with the reason) when it cannot be read.
  std::optional<RegistrationRecord> decode(const mvccpb::KeyValue& kv, std::string& why) const;

  const etcd::EtcdClientPtr client_;
  const std::string keyPrefix_;
  RecordSnapshot snapshot_;
  std::mutex stateMutex_;            // guards the two below and building the next snapshot
  std::int64_t watchedThrough_ = 0;  // every change up to this revision is applied
  std::map<std::string, std::int64_t> ahead_;  // id -> revision of a local write past it
  std::mutex stopMutex_;
  std::condition_variable stopWake_;
  bool stopping_ = false;     // guarded by stopMutex_; ends a reload's retries
  std::mutex listenerMutex_;  // held only to copy the listener
  ChangeListener listener_;
  std::unique_ptr<etcd::EtcdWatch> watch_;
};

}  // namespace gateway
