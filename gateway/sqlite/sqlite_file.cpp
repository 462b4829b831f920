#include "sqlite_file.hpp"

#include "sqlite_statement.hpp"

namespace gateway::sqlite {

std::optional<std::string> useExclusiveWal(sqlite3* db, Synchronous synchronous) {
  sqlite3_busy_timeout(db, 0);  // another holder of the lock is an error, not a wait
  if (auto error = exec(db, "PRAGMA locking_mode = EXCLUSIVE")) return error;
  Statement wal(db, "PRAGMA journal_mode = WAL");
  if (!wal.ok() || wal.step() != SQLITE_ROW) {
    if (sqlite3_errcode(db) == SQLITE_BUSY) return std::string("in use by another process");
    return wal.error("enabling WAL");
  }
  if (wal.text(0) != "wal") return "journal_mode stayed " + wal.text(0);
  return exec(db, synchronous == Synchronous::Full ? "PRAGMA synchronous = FULL"
                                                   : "PRAGMA synchronous = NORMAL");
}

std::optional<std::string> checkOrCreateSchema(sqlite3* db, int version, const char* createSql) {
  Statement current(db, "PRAGMA user_version");
  if (!current.ok() || current.step() != SQLITE_ROW) {
    return current.error("reading the schema version");
  }
  const auto found = current.integer(0);
  if (found == version) return std::nullopt;
  if (found != 0) {
    return "schema version " + std::to_string(found) + " is not the one this gateway reads (" +
           std::to_string(version) + ")";
  }
  return exec(db, createSql);
}

}  // namespace gateway::sqlite
