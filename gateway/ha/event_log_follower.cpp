#include "event_log_follower.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "crnp/structured_log.hpp"
#include "log_entry_codec.hpp"

namespace gateway::ha {
namespace {

constexpr std::string_view kLog = "event-log";
constexpr std::chrono::milliseconds kReloadRetry{500};

JournalEntry journalEntryOf(NumberedEntry numbered) {
  return {numbered.sequence, std::move(numbered.entry.event), numbered.entry.received};
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
                                                                  std::size_t ringEvents) {
  auto log = client.rangePrefix(keys.eventLog);
  if (!log) return log.error();
  const std::int64_t revision = log.value().revision;
  auto latest = client.rangePrefix(keys.latestEvents, revision);
  if (!latest) return latest.error();

  Loaded loaded;
  loaded.revision = revision;
  auto& recovered = loaded.recovered;
  recovered.epoch = epochOf(log.value().clusterId, keys.prefix);
  recovered.lastSequence = lastSequenceOf(revision);
  auto& entries = log.value().kvs;
  if (entries.size() > std::max<std::size_t>(ringEvents, 1)) {
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(ringEvents));
  }
  // Every event after the one before the oldest kept is in the log (the leader trims the
  // oldest first): a token from there on replays. An empty log covers nothing older.
  recovered.coveredAfter = recovered.lastSequence;
  for (const auto& kv : entries) {
    auto numbered = readLogEntry(kv);
    if (!numbered) continue;
    if (recovered.retained.empty()) recovered.coveredAfter = numbered->previous();
    recovered.retained.push_back(journalEntryOf(std::move(*numbered)));
  }
  for (const auto& kv : latest.value().kvs) {
    if (auto numbered = readLogEntry(kv)) {
      recovered.latest.push_back(journalEntryOf(std::move(*numbered)));
    }
  }
  std::sort(recovered.latest.begin(), recovered.latest.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.sequence < b.sequence; });
  return loaded;
}

EventLogFollower::EventLogFollower(etcd::EtcdClientPtr client, ReplicationKeys keys, EventHub& hub,
                                   std::int64_t fromRevision)
    : client_(std::move(client)), keys_(std::move(keys)), hub_(hub) {
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
    if (auto numbered = readLogEntry(event.kv())) {
      hub_.ingestAt(numbered->sequence, std::move(numbered->entry.event), numbered->entry.received);
    }
  }
}

std::optional<std::int64_t> EventLogFollower::reloadAfterCompaction(std::int64_t compactRevision) {
  crnp::slog::warn(kLog, "etcd compacted the event log's history this replica still needed",
                   {{"compact_revision", compactRevision}, {"applied", hub_.lastSequence()}});
  for (;;) {
    auto log = client_->rangePrefix(keys_.eventLog);
    if (log) {
      std::vector<NumberedEntry> kept;  // oldest first
      for (const auto& kv : log.value().kvs) {
        if (auto numbered = readLogEntry(kv)) kept.push_back(std::move(*numbered));
      }
      // Nothing was missed when the log still reaches back to what the hub has; otherwise
      // the hub declares the gap rather than serve one.
      if (!kept.empty() && kept.front().previous() > hub_.lastSequence()) {
        // What was trimmed is gone, but the latest state of every key is still there.
        std::vector<JournalEntry> known;
        if (auto latest = client_->rangePrefix(keys_.latestEvents, log.value().revision)) {
          for (const auto& kv : latest.value().kvs) {
            if (auto numbered = readLogEntry(kv))
              known.push_back(journalEntryOf(std::move(*numbered)));
          }
        }
        hub_.declareGap(kept.front().previous(), std::move(known));
      }
      for (auto& numbered : kept) {
        if (numbered.sequence <= hub_.lastSequence()) continue;
        hub_.ingestAt(numbered.sequence, std::move(numbered.entry.event), numbered.entry.received);
      }
      return log.value().revision + 1;
    }
    crnp::slog::error(kLog, "reading the event log again failed; retrying",
                      {{"error", log.error().message}});
    if (stopping_) return std::nullopt;
    std::this_thread::sleep_for(kReloadRetry);
    if (stopping_) return std::nullopt;
  }
}

}  // namespace gateway::ha
