#pragma once
// Registry: the store of the gateway's registrations, and their only writer. Two
// implementations: SqliteRegistry (one replica, a file under --data-dir) and EtcdRegistry
// (several replicas sharing an etcd cluster, --store etcd); gateway/app picks one.
//
// Both follow the same model: readers never wait for a write, they read an immutable snapshot
// of the committed state (RecordSnapshot), which is replaced as a whole once a change is
// durable. put/remove return once the change is durable, or the reason it is not (then
// nothing changed). All methods are thread-safe.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"

namespace gateway {

struct RegistrationRecord {
  std::string id;
  std::vector<crnp::EventType> types;
  std::chrono::system_clock::time_point createTime;
  std::chrono::system_clock::time_point updateTime;
  bool operator==(const RegistrationRecord&) const = default;
};

class Registry {
 public:
  struct OpenResult {
    std::unique_ptr<Registry> registry;  ///< set on success
    std::string error;                   ///< set on failure, for a human
  };

  /// A registration's types after a change, or nullopt when it was removed.
  using ChangeListener = std::function<void(const std::string& id,
                                            const std::optional<std::vector<crnp::EventType>>&)>;

  virtual ~Registry() = default;

  /// Called after changes this process did not make through put/remove (another replica wrote
  /// the shared store), once the new state is readable; on one thread at a time, with no lock
  /// held. Set once, before such changes can arrive. Stores without other writers never call it.
  virtual void setRemoteChangeListener(ChangeListener listener) { (void)listener; }

  virtual std::optional<RegistrationRecord> get(const std::string& id) const = 0;
  /// The event types of one registration (the shape SubscriptionManager's lookup wants).
  virtual std::optional<std::vector<crnp::EventType>> typesOf(const std::string& id) const = 0;
  /// All registrations, ordered by id.
  virtual std::vector<RegistrationRecord> list() const = 0;
  virtual std::size_t size() const = 0;

  /// Inserts or replaces the registration with record.id. nullopt once it is durable, or
  /// the reason it is not (then nothing changed).
  virtual std::optional<std::string> put(const RegistrationRecord& record) = 0;
  /// Removes the registration (no-op if absent). nullopt once durable, or the reason it is not.
  virtual std::optional<std::string> remove(const std::string& id) = 0;
};

using RegistryPtr = std::unique_ptr<Registry>;

}  // namespace gateway
