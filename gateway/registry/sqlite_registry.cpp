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

namespace gateway {
namespace {

std::string sqliteError(sqlite3* db, std::string_view what) {
  return std::string(what) + ": " + sqlite3_errmsg(db);
}

std::optional<std::string> exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK) return std::nullopt;
  std::string message = error ? error : sqlite3_errmsg(db);
  sqlite3_free(error);
  return message;
}

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  void bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string error(std::string_view what) const { return sqliteError(db_, what); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::optional<std::string> createSchema(sqlite3* db) {
  Statement version(db, "PRAGMA user_version");
  if (!version.ok() || version.step() != SQLITE_ROW)
    return version.error("reading the schema version");
  const auto found = version.integer(0);
  if (found == SqliteRegistry::kSchemaVersion) return std::nullopt;
  if (found != 0) {
    return "schema version " + std::to_string(found) + " is not the one this gateway reads (" +
           std::to_string(SqliteRegistry::kSchemaVersion) + ")";
  }
  return exec(db,
              "BEGIN IMMEDIATE;"
              "CREATE TABLE IF NOT EXISTS registrations ("
              "  id TEXT PRIMARY KEY NOT NULL,"
              "  event_types TEXT NOT NULL,"        // JSON array, see typesToJson
              "  create_time_ns INTEGER NOT NULL,"  // nanoseconds since the Unix epoch
              "  update_time_ns INTEGER NOT NULL);"
              "PRAGMA user_version = 1;"
              "COMMIT;");
}

// Settings that make a committed transaction survive a crash, and keep other processes out.
std::optional<std::string> configure(sqlite3* db, bool inMemory) {
  if (inMemory) return std::nullopt;
  sqlite3_busy_timeout(db, 0);  // another holder of the lock is an error, not a wait
  if (auto error = exec(db, "PRAGMA locking_mode = EXCLUSIVE")) return error;
  Statement wal(db, "PRAGMA journal_mode = WAL");
  if (!wal.ok() || wal.step() != SQLITE_ROW) {
    if (sqlite3_errcode(db) == SQLITE_BUSY) return std::string("in use by another process");
    return wal.error("enabling WAL");
  }
  if (wal.text(0) != "wal") return "journal_mode stayed " + wal.text(0);
  return exec(db, "PRAGMA synchronous = FULL");
}

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
  if (auto error = configure(db, inMemory)) return {nullptr, path + ": " + *error};
  if (auto error = createSchema(db)) return {nullptr, path + ": " + *error};
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
    record.createTime = fromNanos(select.integer(2));
    record.updateTime = fromNanos(select.integer(3));
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
  upsert.bind(3, toNanos(record.createTime));
  upsert.bind(4, toNanos(record.updateTime));
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
