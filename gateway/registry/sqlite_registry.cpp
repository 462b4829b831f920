#include "sqlite_registry.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "config_defaults.hpp"
#include "crnp/structured_log.hpp"
#include "registration_json.hpp"
#include "sqlite_file.hpp"
#include "sqlite_statement.hpp"
#include "unix_nanos.hpp"

namespace gateway {
namespace {

using sqlite::Statement;

// The schema (PRAGMA user_version = 1).
constexpr const char* kCreateSchema =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS registrations ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  event_types TEXT NOT NULL,"        // JSON array, see typesToJson
    "  create_time_ns INTEGER NOT NULL,"  // nanoseconds since the Unix epoch
    "  update_time_ns INTEGER NOT NULL);"
    "PRAGMA user_version = 1;"
    "COMMIT;";

}  // namespace

Registry::OpenResult SqliteRegistry::open(const std::string& dataDir, Hooks hooks) {
  const bool inMemory = dataDir.empty();
  std::string path = ":memory:";
  if (!inMemory) {
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    if (ec) return {nullptr, "cannot create data dir " + dataDir + ": " + ec.message()};
    path = (std::filesystem::path(dataDir) / kRegistryFileName).string();
  }
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string error = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return {nullptr, std::move(error)};
  }
  std::unique_ptr<SqliteRegistry> registry(new SqliteRegistry(db, std::move(hooks)));
  // FULL: a registration the client was told is stored survives even a power loss.
  if (!inMemory) {
    if (auto error = sqlite::useExclusiveWal(db, sqlite::Synchronous::Full)) {
      return {nullptr, path + ": " + *error};
    }
  }
  if (auto error = sqlite::checkOrCreateSchema(db, kSchemaVersion, kCreateSchema)) {
    return {nullptr, path + ": " + *error};
  }
  if (auto error = registry->load()) return {nullptr, path + ": " + *error};
  crnp::slog::info("registry", "opened", {{"path", path}, {"registrations", registry->size()}});
  return {std::unique_ptr<Registry>(std::move(registry)), {}};
}

SqliteRegistry::SqliteRegistry(sqlite3* db, Hooks hooks) : hooks_(std::move(hooks)), db_(db) {}

SqliteRegistry::~SqliteRegistry() { sqlite3_close(db_); }

std::optional<std::string> SqliteRegistry::load() {
  std::lock_guard write(writeMutex_);
  Statement select(db_,
                   "SELECT id, event_types, create_time_ns, update_time_ns FROM registrations");
  if (!select.ok()) return select.error("reading registrations");
  Records records;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    RegistrationRecord record;
    record.id = select.text(0);
    auto types = typesFromJson(select.text(1));
    if (!types) return "registration " + record.id + " has unreadable event types";
    record.types = std::move(*types);
    record.createTime = fromUnixNanos(select.integer(2));
    record.updateTime = fromUnixNanos(select.integer(3));
    records.emplace(record.id, std::move(record));
  }
  if (rc != SQLITE_DONE) return select.error("reading registrations");
  publish([&records](Records& state) { state = std::move(records); });
  return std::nullopt;
}

void SqliteRegistry::publish(const std::function<void(Records&)>& change) {
  // Copied outside the snapshot's lock: only writers build states, and they are serialized.
  auto next = std::make_shared<Records>(*snapshot_.current());
  change(*next);
  snapshot_.publish(std::move(next));
}

std::optional<std::string> SqliteRegistry::put(const RegistrationRecord& record) {
  std::string types;
  try {
    types = typesToJson(record.types);
  } catch (const nlohmann::json::exception& e) {
    return std::string("cannot encode event types: ") + e.what();
  }
  std::lock_guard write(writeMutex_);
  Statement upsert(db_,
                   "INSERT INTO registrations (id, event_types, create_time_ns, update_time_ns) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET "
                   "event_types = excluded.event_types, create_time_ns = excluded.create_time_ns, "
                   "update_time_ns = excluded.update_time_ns");
  if (!upsert.ok()) return upsert.error("storing registration " + record.id);
  upsert.bind(1, record.id);
  upsert.bind(2, types);
  upsert.bind(3, toUnixNanos(record.createTime));
  upsert.bind(4, toUnixNanos(record.updateTime));
  if (upsert.step() != SQLITE_DONE) return upsert.error("storing registration " + record.id);
  if (hooks_.duringWrite) hooks_.duringWrite();
  publish([&record](Records& state) { state[record.id] = record; });
  return std::nullopt;
}

std::optional<std::string> SqliteRegistry::remove(const std::string& id) {
  std::lock_guard write(writeMutex_);
  Statement erase(db_, "DELETE FROM registrations WHERE id = ?1");
  if (!erase.ok()) return erase.error("removing registration " + id);
  erase.bind(1, id);
  if (erase.step() != SQLITE_DONE) return erase.error("removing registration " + id);
  if (hooks_.duringWrite) hooks_.duringWrite();
  publish([&id](Records& state) { state.erase(id); });
  return std::nullopt;
}

}  // namespace gateway
