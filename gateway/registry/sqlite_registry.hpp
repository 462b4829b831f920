#pragma once
// SqliteRegistry: the registrations of one replica in <data-dir>/registrations.db (SQLite, WAL,
// synchronous=FULL, so a committed put survives a crash or power loss). The database is held
// with an exclusive lock: a second gateway on the same data dir fails to open it.
// Readers read the snapshot (RecordSnapshot); writes are serialized among themselves and the
// new state is published after the database write committed. The fsync happens outside any
// lock a reader takes.
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "record_snapshot.hpp"
#include "registry.hpp"

struct sqlite3;

namespace gateway {

class SqliteRegistry final : public Registry {
 public:
  /// Test seams. `duringWrite` runs inside every put/remove after the row was written and
  /// before the new state is published, holding the writers' lock.
  struct Hooks {
    std::function<void()> duringWrite;
  };

  /// Opens (creating the directory and the file if needed) <dataDir>/registrations.db and
  /// loads it. An empty dataDir gives an in-memory registry (tests, or --data-dir "").
  static OpenResult open(const std::string& dataDir, Hooks hooks = {});

  ~SqliteRegistry() override;
  SqliteRegistry(const SqliteRegistry&) = delete;
  SqliteRegistry& operator=(const SqliteRegistry&) = delete;

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

  /// Schema version this build reads and writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;

 private:
  using Records = RecordSnapshot::Records;

  SqliteRegistry(sqlite3* db, Hooks hooks);
  std::optional<std::string> load();
  /// Publishes the committed state with `change` applied. Writers' lock held.
  void publish(const std::function<void(Records&)>& change);

  const Hooks hooks_;
  std::mutex writeMutex_;  // one writer at a time, held across the SQLite write (and fsync)
  sqlite3* db_;            // used under writeMutex_ only
  RecordSnapshot snapshot_;
};

}  // namespace gateway
