#include "event_log_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <system_error>
#include <utility>

#include "config_defaults.hpp"
#include "crnp/matching.hpp"
#include "crnp/structured_log.hpp"
#include "event_codec.hpp"
#include "sqlite_file.hpp"
#include "sqlite_statement.hpp"
#include "unix_nanos.hpp"

namespace gateway {
namespace {

using sqlite::exec;
using sqlite::Statement;

// SQLite integers are signed; sequences and epochs are stored bit for bit.
std::int64_t toColumn(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t fromColumn(std::int64_t value) { return static_cast<std::uint64_t>(value); }

std::uint64_t randomEpoch() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ device();
}

// The schema (PRAGMA user_version = 1).
constexpr const char* kCreateSchema =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE log_state ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  epoch INTEGER NOT NULL,"             // of resume tokens, bit for bit
    "  reserved_through INTEGER NOT NULL,"  // numbers up to it may have been used
    "  covered_after INTEGER NOT NULL,"     // every event after it is in `events`
    "  clean INTEGER NOT NULL);"            // 1: stopped cleanly after reserved_through
    "CREATE TABLE events ("
    "  sequence INTEGER PRIMARY KEY NOT NULL,"
    "  received_ns INTEGER NOT NULL,"  // nanoseconds since the Unix epoch
    "  bytes INTEGER NOT NULL,"        // size of its SubscribeResponse
    "  event TEXT NOT NULL);"          // event_codec.hpp
    "CREATE TABLE latest ("
    "  key TEXT PRIMARY KEY NOT NULL,"  // event_codec.hpp
    "  sequence INTEGER NOT NULL,"
    "  received_ns INTEGER NOT NULL,"
    "  event TEXT NOT NULL);"
    "CREATE INDEX latest_by_sequence ON latest (sequence);"
    "PRAGMA user_version = 1;"
    "COMMIT;";

std::optional<std::string> readEntries(sqlite3* db, const char* sql, const char* what,
                                       std::vector<JournalEntry>& out,
                                       std::vector<std::size_t>* bytes) {
  Statement select(db, sql);
  if (!select.ok()) return select.error(what);
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    auto event = decodeEvent(select.text(2));
    if (!event) {
      return std::string(what) + ": event " + std::to_string(select.integer(0)) + " is unreadable";
    }
    out.push_back(
        {fromColumn(select.integer(0)), std::move(*event), fromUnixNanos(select.integer(1))});
    if (bytes) bytes->push_back(static_cast<std::size_t>(select.integer(3)));
  }
  if (rc != SQLITE_DONE) return select.error(what);
  return std::nullopt;
}

}  // namespace

EventLogStore::OpenResult EventLogStore::open(const std::string& dataDir, EventLogBounds bounds,
                                              std::uint64_t reserveAhead,
                                              std::optional<std::uint64_t> newEpoch) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (ec) return {nullptr, {}, "cannot create data dir " + dataDir + ": " + ec.message()};
  std::string path = (std::filesystem::path(dataDir) / kEventLogFileName).string();
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string error = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return {nullptr, {}, std::move(error)};
  }
  std::unique_ptr<EventLogStore> store(new EventLogStore(db, path, bounds));
  OpenResult result;
  // NORMAL: in WAL mode a commit survives the process dying (what a restart after a crash
  // needs); only a power loss can take the last commits, and after one the watermark (another
  // boot id) resets every token anyway. FULL cost an fsync per commit on the writer's thread.
  if (auto error = sqlite::useExclusiveWal(db, sqlite::Synchronous::Normal)) {
    return {nullptr, {}, path + ": " + *error};
  }
  if (auto error = sqlite::checkOrCreateSchema(db, kSchemaVersion, kCreateSchema)) {
    return {nullptr, {}, path + ": " + *error};
  }
  const std::string watermarkPath =
      (std::filesystem::path(dataDir) / kEventLogWatermarkFileName).string();
  PublishedWatermark::Reading published;
  std::string watermarkError;
  store->watermark_ = PublishedWatermark::open(watermarkPath, published, watermarkError);
  if (!store->watermark_) return {nullptr, {}, watermarkError};
  if (auto error = store->load(result.recovered, newEpoch.value_or(randomEpoch()), published)) {
    return {nullptr, {}, path + ": " + *error};
  }
  store->usedThrough_ = result.recovered.lastSequence;
  // In use from here on: a crash from now on is recovered as one.
  store->reservedThrough_ = result.recovered.lastSequence + reserveAhead;
  Statement mark(db,
                 "INSERT INTO log_state (id, epoch, reserved_through, covered_after, clean) "
                 "VALUES (1, ?1, ?2, ?3, 0) ON CONFLICT(id) DO UPDATE SET "
                 "epoch = excluded.epoch, reserved_through = excluded.reserved_through, "
                 "covered_after = excluded.covered_after, clean = 0");
  if (!mark.ok()) return {nullptr, {}, path + ": " + mark.error("marking the log in use")};
  mark.bind(1, toColumn(result.recovered.epoch));
  mark.bind(2, toColumn(store->reservedThrough_));
  mark.bind(3, toColumn(store->coveredAfter_));
  if (mark.step() != SQLITE_DONE) {
    return {nullptr, {}, path + ": " + mark.error("marking the log in use")};
  }
  crnp::slog::info("eventlog", "opened",
                   {{"path", path},
                    {"events", result.recovered.retained.size()},
                    {"last_sequence", result.recovered.lastSequence},
                    {"covered_after", result.recovered.coveredAfter},
                    {"clean_stop", !result.recovered.uncleanStop},
                    {"lost_after_crash", result.recovered.mayHaveLostEvents}});
  result.store = std::move(store);
  return result;
}

EventLogStore::EventLogStore(sqlite3* db, std::string path, EventLogBounds bounds)
    : db_(db), path_(std::move(path)), bounds_(bounds) {}

EventLogStore::~EventLogStore() { sqlite3_close(db_); }

std::optional<std::string> EventLogStore::load(RecoveredEvents& recovered, std::uint64_t newEpoch,
                                               PublishedWatermark::Reading published) {
  Statement state(db_,
                  "SELECT epoch, reserved_through, covered_after, clean FROM log_state "
                  "WHERE id = 1");
  if (!state.ok()) return state.error("reading the log state");
  const int rc = state.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return state.error("reading the log state");
  const bool fresh = rc == SQLITE_DONE;
  recovered.epoch = fresh ? newEpoch : fromColumn(state.integer(0));
  const std::uint64_t reserved = fresh ? 0 : fromColumn(state.integer(1));
  std::uint64_t covered = fresh ? 0 : fromColumn(state.integer(2));
  const bool clean = fresh || state.integer(3) == 1;

  std::vector<std::size_t> sizes;
  if (auto error = readEntries(db_,
                               "SELECT sequence, received_ns, event, bytes FROM events "
                               "ORDER BY sequence",
                               "reading events", recovered.retained, &sizes)) {
    return error;
  }
  if (auto error = readEntries(db_,
                               "SELECT sequence, received_ns, event FROM latest "
                               "ORDER BY sequence",
                               "reading the latest events", recovered.latest, nullptr)) {
    return error;
  }
  for (const auto& entry : recovered.latest) {
    latestKeys_.insert(encodeEventKey(crnp::eventKey(entry.event)));
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    retained_.push_back({recovered.retained[i].sequence, sizes[i]});
    retainedBytes_ += sizes[i];
  }
  const std::uint64_t durable = retained_.empty() ? covered : retained_.back().sequence;
  // After a clean stop `reserved` is the last number used; after a crash numbers up to it may
  // have gone to events that never reached the log.
  recovered.lastSequence = std::max(reserved, durable);
  // What this run starts from as published (the watermark continues from it).
  std::uint64_t publishedThrough = recovered.lastSequence;
  if (!clean) {
    recovered.uncleanStop = true;
    recovered.durableThroughAtCrash = durable;
    // Every queued event was recorded before it was queued, so a trusted watermark is never
    // behind the durable end; one that is was not written by the last run.
    if (published.trusted && published.sequence >= durable) {
      publishedThrough = published.sequence;
      if (published.sequence > durable) {
        recovered.mayHaveLostEvents = true;
        covered = std::max(covered, published.sequence);
      }
    } else {
      recovered.mayHaveLostEvents = true;
      covered = recovered.lastSequence;
    }
  }
  watermark_->record(publishedThrough);
  // Bounds may have shrunk since the last run (--ring-events): the next write deletes the rows.
  while (retained_.size() > 1 && (retained_.size() > std::max<std::size_t>(bounds_.maxEvents, 1) ||
                                  retainedBytes_ > bounds_.maxBytes)) {
    retainedBytes_ -= retained_.front().bytes;
    covered = std::max(covered, retained_.front().sequence);
    retained_.pop_front();
  }
  coveredAfter_ = covered;
  recovered.coveredAfter = covered;
  // Those at or before the coverage cannot be replayed; the latest events still give the
  // snapshot and suppress the cluster's repeat of its state.
  std::erase_if(recovered.retained,
                [covered](const JournalEntry& entry) { return entry.sequence <= covered; });
  return std::nullopt;
}

std::optional<std::string> EventLogStore::write(const EventLogBatch& batch) {
  // The new accounting is built on copies and kept only once the transaction committed.
  std::uint64_t covered = coveredAfter_;
  auto retained = retained_;
  std::size_t bytes = retainedBytes_;
  auto keys = latestKeys_;
  if (auto error = exec(db_, "BEGIN IMMEDIATE")) return "starting a transaction: " + *error;
  if (auto error = writeLocked(batch, covered, retained, bytes, keys)) {
    exec(db_, "ROLLBACK");
    return error;
  }
  if (auto error = exec(db_, "COMMIT")) {
    exec(db_, "ROLLBACK");
    return "committing: " + *error;
  }
  coveredAfter_ = covered;
  usedThrough_ = std::max(usedThrough_, batch.lostThrough);
  if (!batch.events.empty()) {
    usedThrough_ = std::max(usedThrough_, batch.events.back().entry.sequence);
  }
  retained_ = std::move(retained);
  retainedBytes_ = bytes;
  latestKeys_ = std::move(keys);
  reservedThrough_ = std::max(reservedThrough_, batch.reserveThrough);
  return std::nullopt;
}

std::optional<std::string> EventLogStore::writeLocked(const EventLogBatch& batch,
                                                      std::uint64_t& covered,
                                                      std::deque<Retained>& retained,
                                                      std::size_t& bytes,
                                                      std::set<std::string>& keys) {
  Statement insert(db_,
                   "INSERT OR REPLACE INTO events (sequence, received_ns, bytes, event) "
                   "VALUES (?1, ?2, ?3, ?4)");
  Statement latest(db_,
                   "INSERT INTO latest (key, sequence, received_ns, event) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT(key) DO UPDATE SET sequence = excluded.sequence, "
                   "received_ns = excluded.received_ns, event = excluded.event "
                   "WHERE excluded.sequence > latest.sequence");
  if (!insert.ok() || !latest.ok()) return insert.error("preparing the batch");
  const auto putLatest = [&](const std::string& key,
                             const JournalEntry& entry) -> std::optional<std::string> {
    latest.reset();
    latest.bind(1, key);
    latest.bind(2, toColumn(entry.sequence));
    latest.bind(3, toUnixNanos(entry.received));
    latest.bind(4, encodeEvent(entry.event));
    if (latest.step() != SQLITE_DONE) return latest.error("storing a latest event");
    keys.insert(key);
    return std::nullopt;
  };
  // Only the newest event of each key in the batch becomes its latest row.
  std::map<std::string, const EventLogRecord*> newestOfKey;
  for (const EventLogRecord& record : batch.events) {
    newestOfKey[encodeEventKey(crnp::eventKey(record.entry.event))] = &record;
  }
  for (const EventLogRecord& record : batch.events) {
    const std::string text = encodeEvent(record.entry.event);
    insert.reset();
    insert.bind(1, toColumn(record.entry.sequence));
    insert.bind(2, toUnixNanos(record.entry.received));
    insert.bind(3, static_cast<std::int64_t>(record.bytes));
    insert.bind(4, text);
    if (insert.step() != SQLITE_DONE) {
      return insert.error("storing event " + std::to_string(record.entry.sequence));
    }
    retained.push_back({record.entry.sequence, record.bytes});
    bytes += record.bytes;
  }
  for (const auto& [key, record] : newestOfKey) {
    if (auto error = putLatest(key, record->entry)) return error;
  }
  for (const JournalEntry& entry : batch.latestOnly) {
    if (auto error = putLatest(encodeEventKey(crnp::eventKey(entry.event)), entry)) return error;
  }
  // Coverage: past what will never be written, and past what the bounds evict.
  covered = std::max(covered, batch.lostThrough);
  while (!retained.empty() && retained.front().sequence <= covered) {
    bytes -= retained.front().bytes;
    retained.pop_front();
  }
  while (retained.size() > 1 && (retained.size() > std::max<std::size_t>(bounds_.maxEvents, 1) ||
                                 bytes > bounds_.maxBytes)) {
    bytes -= retained.front().bytes;
    covered = std::max(covered, retained.front().sequence);
    retained.pop_front();
  }
  Statement trim(db_, "DELETE FROM events WHERE sequence <= ?1");
  trim.bind(1, toColumn(covered));
  if (trim.step() != SQLITE_DONE) return trim.error("deleting old events");
  if (keys.size() > std::max<std::size_t>(bounds_.maxLatestKeys, 1)) {
    Statement forget(db_,
                     "DELETE FROM latest WHERE key IN (SELECT key FROM latest ORDER BY sequence "
                     "LIMIT ?1) RETURNING key");
    forget.bind(1, static_cast<std::int64_t>(keys.size() - bounds_.maxLatestKeys));
    int rc;
    while ((rc = forget.step()) == SQLITE_ROW) keys.erase(forget.text(0));
    if (rc != SQLITE_DONE) return forget.error("forgetting stale keys");
  }
  Statement state(db_,
                  "UPDATE log_state SET covered_after = ?1, "
                  "reserved_through = max(reserved_through, ?2) WHERE id = 1");
  state.bind(1, toColumn(covered));
  state.bind(2, toColumn(batch.reserveThrough));
  if (state.step() != SQLITE_DONE) return state.error("updating the log state");
  return std::nullopt;
}

std::optional<std::string> EventLogStore::limitPagesForTest(std::int64_t pages) {
  return exec(db_, ("PRAGMA max_page_count = " + std::to_string(pages)).c_str());
}

std::optional<std::string> EventLogStore::closeClean(std::uint64_t lastSequence) {
  Statement state(db_, "UPDATE log_state SET reserved_through = ?1, clean = 1 WHERE id = 1");
  state.bind(1, toColumn(std::max({lastSequence, usedThrough_, coveredAfter_})));
  if (state.step() != SQLITE_DONE) return state.error("marking a clean stop");
  return std::nullopt;
}

}  // namespace gateway
