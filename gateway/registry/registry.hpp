#pragma once
// Durable store of the gateway's registrations: <data-dir>/registrations.db (SQLite, WAL,
// synchronous=FULL, so a committed put survives a crash or power loss). The database is held
// with an exclusive lock: a second gateway on the same data dir fails to open it.
// Readers never wait for a write: they read an immutable snapshot of the committed state,
// which the single writer replaces (a pointer swap under a small lock) after the database
// write committed. Writes are serialized among themselves; the fsync happens outside any lock
// a reader takes. All methods are thread-safe.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crnp/messages.hpp"

struct sqlite3;

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

  /// Test seams. `duringWrite` runs inside every put/remove after the row was written and
  /// before the new state is published, holding the writers' lock.
  struct Hooks {
    std::function<void()> duringWrite;
  };

  /// Opens (creating the directory and the file if needed) <dataDir>/registrations.db and
  /// loads it. An empty dataDir gives an in-memory registry (tests, or --data-dir "").
  static OpenResult open(const std::string& dataDir, Hooks hooks = {});

  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::optional<RegistrationRecord> get(const std::string& id) const;
  /// The event types of one registration (the shape SubscriptionManager's lookup wants).
  std::optional<std::vector<crnp::EventType>> typesOf(const std::string& id) const;
  /// All registrations, ordered by id.
  std::vector<RegistrationRecord> list() const;
  std::size_t size() const;

  /// Inserts or replaces the registration with record.id. nullopt once it is durable, or
  /// the reason it is not (then nothing changed).
  std::optional<std::string> put(const RegistrationRecord& record);
  /// Removes the registration (no-op if absent). nullopt once durable, or the reason it is not.
  std::optional<std::string> remove(const std::string& id);

  /// Schema version this build reads and writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;

 private:
  using Records = std::map<std::string, RegistrationRecord>;
  using RecordsPtr = std::shared_ptr<const Records>;

  Registry(sqlite3* db, Hooks hooks);
  std::optional<std::string> load();
  RecordsPtr snapshot() const;
  /// Publishes the committed state with `change` applied. Writers' lock held.
  void publish(const std::function<void(Records&)>& change);

  const Hooks hooks_;
  std::mutex writeMutex_;  // one writer at a time, held across the SQLite write (and fsync)
  sqlite3* db_;            // used under writeMutex_ only
  mutable std::mutex snapshotMutex_;  // held only to copy or swap snapshot_
  RecordsPtr snapshot_;               // committed state, never modified once published
};

}  // namespace gateway
