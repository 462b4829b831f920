#include "event_log_follower.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "crnp/structured_log.hpp"
#include "log_entry_codec.hpp"

namespace gateway::ha {
namespace {

constexpr std::string_view kLog = "event-log";
constexpr std::int64_t kPage = 1000;  // keys per Range: bounded answers whatever the ring
constexpr std::chrono::milliseconds kReloadRetry{500};

// Every key under `prefix` at `revision` (0: now), in key order, page by page. The revision
// actually read is returned through `readAt`.
etcd::EtcdResult<std::vector<mvccpb::KeyValue>> rangeAll(etcd::EtcdClient& client,
                                                         const std::string& prefix,
                                                         std::int64_t& readAt,
                                                         std::uint64_t* clusterId = nullptr) {
  std::vector<mvccpb::KeyValue> all;
  etcd::RangeQuery query{prefix, true, readAt, kPage};
  for (;;) {
    auto page = client.range(query);
    if (!page) return page.error();
    const auto& response = page.value();
    if (query.revision == 0) query.revision = response.header().revision();
    if (clusterId) *clusterId = response.header().cluster_id();
    for (const auto& kv : response.kvs()) all.push_back(kv);
    if (!response.more() || response.kvs().empty()) break;
    query.after = response.kvs().rbegin()->key();
  }
  readAt = query.revision;
  return all;
}

}  // namespace

std::uint64_t EventLogFollower::epochOf(std::uint64_t clusterId, const std::string& prefix) {
  // FNV-1a over the cluster id's bytes and the prefix: stable, and 0 is never an epoch.
  std::uint64_t hash = 14695981039346656037ull;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  for (int shift = 0; shift < 64; shift += 8) mix(static_cast<unsigned char>(clusterId >> shift));
  for (const char c : prefix) mix(static_cast<unsigned char>(c));
  return hash == 0 ? 1 : hash;
}

etcd::EtcdResult<EventLogFollower::Loaded> EventLogFollower::load(etcd::EtcdClient& client,
                                                                  const ReplicationKeys& keys,
                                                                  const std::string& prefix,
                                                                  std::size_t ringEvents) {
  Loaded loaded;
  std::int64_t revision = 0;
  std::uint64_t clusterId = 0;
  auto log = rangeAll(client, keys.eventLog, revision, &clusterId);
  if (!log) return log.error();
  auto latest = rangeAll(client, keys.latestEvents, revision);
  if (!latest) return latest.error();

  auto& recovered = loaded.recovered;
  recovered.epoch = epochOf(clusterId, prefix);
  recovered.lastSequence = lastSequenceOf(revision);
  // Each readable entry and the number of the one before it.
  std::uint64_t firstPrevious = recovered.lastSequence;  // an empty log covers nothing older
  const auto toEntry = [&firstPrevious](const mvccpb::KeyValue& kv,
                                        bool first) -> std::optional<JournalEntry> {
    auto entry = decodeLogEntry(kv.value());
    if (!entry) {
      crnp::slog::error(kLog, "skipping an unreadable event log entry", {{"key", kv.key()}});
      return std::nullopt;
    }
    const auto sequence = sequenceOf(kv.mod_revision(), entry->place);
    if (first) firstPrevious = previousSequence(*entry, sequence);
    return JournalEntry{sequence, std::move(entry->event), entry->received};
  };
  auto& entries = log.value();
  if (entries.size() > std::max<std::size_t>(ringEvents, 1)) {
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(ringEvents));
  }
  for (const auto& kv : entries) {
    if (auto entry = toEntry(kv, recovered.retained.empty())) {
      recovered.retained.push_back(std::move(*entry));
    }
  }
  // Every event after the one before the oldest kept is in the log (the leader trims the
  // oldest first): a token from there on replays.
  recovered.coveredAfter = firstPrevious;
  for (const auto& kv : latest.value()) {
    if (auto entry = toEntry(kv, false)) recovered.latest.push_back(std::move(*entry));
  }
  std::sort(recovered.latest.begin(), recovered.latest.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.sequence < b.sequence; });
  loaded.revision = revision;
  return loaded;
}

EventLogFollower::EventLogFollower(etcd::EtcdClientPtr client, ReplicationKeys keys,
                                   std::string prefix, EventHub& hub, std::int64_t fromRevision)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      prefix_(std::move(prefix)),
      hub_(hub),
      watchedRevision_(fromRevision - 1) {
  etcd::EtcdWatchHandlers handlers;
  handlers.onEvents = [this](etcd::EtcdWatchBatch batch) { apply(batch); };
  handlers.onCompacted = [this](std::int64_t revision) { return reloadAfterCompaction(revision); };
  handlers.onError = [this](const etcd::EtcdError& error) {
    crnp::slog::warn(kLog, "etcd watch of the event log interrupted; resuming",
                     {{"prefix", keys_.eventLog}, {"error", error.message}});
  };
  watch_ =
      std::make_unique<etcd::EtcdWatch>(client_, keys_.eventLog, fromRevision, std::move(handlers));
}

EventLogFollower::~EventLogFollower() {
  stopping_ = true;
  watch_.reset();
}

void EventLogFollower::apply(const etcd::EtcdWatchBatch& batch) {
  for (const auto& event : batch.events) {
    if (event.type() != mvccpb::Event::PUT) continue;  // trimming the oldest entries
    auto entry = decodeLogEntry(event.kv().value());
    if (!entry) {
      unreadable_.fetch_add(1);
      crnp::slog::error(kLog, "skipping an unreadable event log entry",
                        {{"key", event.kv().key()}, {"revision", event.kv().mod_revision()}});
      continue;
    }
    hub_.ingestAt(sequenceOf(event.kv().mod_revision(), entry->place), std::move(entry->event),
                  entry->received);
  }
  watchedRevision_ = std::max(watchedRevision_.load(), batch.headerRevision);
}

std::optional<std::int64_t> EventLogFollower::reloadAfterCompaction(std::int64_t compactRevision) {
  crnp::slog::warn(kLog, "etcd compacted the event log's history this replica still needed",
                   {{"compact_revision", compactRevision}, {"applied", hub_.lastSequence()}});
  for (;;) {
    std::int64_t revision = 0;
    auto log = rangeAll(*client_, keys_.eventLog, revision);
    if (log) {
      // Readable entries with their numbers, oldest first.
      std::vector<std::pair<std::uint64_t, LogEntry>> kept;
      for (const auto& kv : log.value()) {
        if (auto entry = decodeLogEntry(kv.value())) {
          kept.emplace_back(sequenceOf(kv.mod_revision(), entry->place), std::move(*entry));
        }
      }
      // Nothing was missed when the log still reaches back to what the hub has; otherwise
      // the hub declares the gap rather than serve one.
      if (!kept.empty()) {
        const auto before = previousSequence(kept.front().second, kept.front().first);
        if (before > hub_.lastSequence()) {
          // What was trimmed is gone, but the latest state of every key is still there.
          std::int64_t atRevision = revision;
          auto latest = rangeAll(*client_, keys_.latestEvents, atRevision);
          std::vector<JournalEntry> known;
          if (latest) {
            for (const auto& kv : latest.value()) {
              if (auto entry = decodeLogEntry(kv.value())) {
                known.push_back({sequenceOf(kv.mod_revision(), entry->place),
                                 std::move(entry->event), entry->received});
              }
            }
          }
          hub_.declareGap(before, std::move(known));
        }
      }
      for (auto& [sequence, entry] : kept) {
        if (sequence <= hub_.lastSequence()) continue;
        hub_.ingestAt(sequence, std::move(entry.event), entry.received);
      }
      watchedRevision_ = revision;
      return revision + 1;
    }
    crnp::slog::error(kLog, "reading the event log again failed; retrying",
                      {{"error", log.error().message}});
    if (stopping_) return std::nullopt;
    std::this_thread::sleep_for(kReloadRetry);
    if (stopping_) return std::nullopt;
  }
}

}  // namespace gateway::ha
