#pragma once
// How the gateway's SQLite files are opened, once for the registry and the event log: WAL with
// an exclusive lock (a second gateway on the same --data-dir fails with "in use by another
// process"), and a schema created on first use and checked against PRAGMA user_version after.
#include <sqlite3.h>

#include <optional>
#include <string>

namespace gateway::sqlite {

enum class Synchronous {
  Full,   ///< every commit fsynced: survives a power loss
  Normal  ///< WAL commits survive the process dying; a power loss may take the last ones
};

/// WAL journal, exclusive locking (never waits for another holder), the given durability.
std::optional<std::string> useExclusiveWal(sqlite3* db, Synchronous synchronous);

/// Nothing when the file is at `version`; runs `createSql` (which must set user_version) on a
/// new file; an error naming both versions for any other one.
std::optional<std::string> checkOrCreateSchema(sqlite3* db, int version, const char* createSql);

}  // namespace gateway::sqlite
