#include "event_log_appender.hpp"

#include <algorithm>
#include <charconv>

#include "crnp/matching.hpp"
#include "crnp/structured_log.hpp"
#include "etcd_keys.hpp"
#include "event_codec.hpp"
#include "log_entry_codec.hpp"

namespace gateway::ha {
namespace {

constexpr std::string_view kLog = "event-log";
// etcd refuses a Txn of more than 128 operations (--max-txn-ops): two per event, one trim.
constexpr std::size_t kMaxBatch = 60;
constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kMaxRetry{1000};

std::optional<std::uint64_t> counterOf(const std::string& key, const std::string& logPrefix) {
  if (key.size() != logPrefix.size() + 16) return std::nullopt;
  std::uint64_t counter = 0;
  const char* begin = key.data() + logPrefix.size();
  const auto [end, error] = std::from_chars(begin, key.data() + key.size(), counter, 16);
  if (error != std::errc() || end != key.data() + key.size()) return std::nullopt;
  return counter;
}

}  // namespace

etcd::EtcdResult<std::unique_ptr<EventLogAppender>> EventLogAppender::start(
    etcd::EtcdClientPtr client, ReplicationKeys keys, std::string leaderKey,
    std::int64_t leaderRevision, EventLogAppenderOptions options, OnDeposed onDeposed) {
  std::unique_ptr<EventLogAppender> appender(new EventLogAppender(
      client, keys, std::move(leaderKey), leaderRevision, options, std::move(onDeposed)));
  // Where the log ends and starts (an earlier leader wrote it).
  etcd::RangeQuery last{keys.eventLog, true};
  last.limit = 1;
  last.descending = true;
  auto newest = client->range(last);
  if (!newest) return newest.error();
  etcd::RangeQuery first{keys.eventLog, true};
  first.limit = 1;
  auto oldest = client->range(first);
  if (!oldest) return oldest.error();
  if (!newest.value().kvs().empty()) {
    const auto counter = counterOf(newest.value().kvs(0).key(), keys.eventLog);
    if (!counter) {
      return etcd::EtcdError{grpc::StatusCode::DATA_LOSS,
                             "event log key " + newest.value().kvs(0).key() + " is not a log key"};
    }
    appender->nextCounter_ = *counter + 1;
    if (auto numbered = readLogEntry(newest.value().kvs(0))) {
      appender->lastWritten_ = numbered->sequence;
    }
  }
  if (!oldest.value().kvs().empty()) {
    appender->firstCounter_ =
        counterOf(oldest.value().kvs(0).key(), keys.eventLog).value_or(appender->nextCounter_);
  } else {
    appender->firstCounter_ = appender->nextCounter_;
  }
  // The latest event of each key, so that the cluster's answer to this leader's ADD_CLIENT
  // does not append what every replica already has.
  auto latest = client->rangePrefix(keys.latestEvents);
  if (!latest) return latest.error();
  for (const auto& kv : latest.value().kvs) {
    if (appender->latest_.size() >= options.maxLatestKeys) break;
    if (auto numbered = readLogEntry(kv)) {
      auto key = crnp::eventKey(numbered->entry.event);
      appender->latest_.insert_or_assign(std::move(key), std::move(numbered->entry.event));
    }
  }
  appender->thread_ = std::thread([self = appender.get()] { self->run(); });
  return appender;
}

EventLogAppender::EventLogAppender(etcd::EtcdClientPtr client, ReplicationKeys keys,
                                   std::string leaderKey, std::int64_t leaderRevision,
                                   EventLogAppenderOptions options, OnDeposed onDeposed)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      leaderKey_(std::move(leaderKey)),
      leaderRevision_(leaderRevision),
      options_(options),
      onDeposed_(std::move(onDeposed)) {}

EventLogAppender::~EventLogAppender() { stop(); }

void EventLogAppender::append(crnp::Event event, std::chrono::system_clock::time_point received) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= std::max<std::size_t>(options_.maxQueued, 1)) {
      queue_.pop_front();
      ++stats_.dropped;
      if (stats_.dropped == 1 || stats_.dropped % 1000 == 0) {
        crnp::slog::error(kLog, "etcd is not taking events fast enough; dropping the oldest",
                          {{"dropped", stats_.dropped}, {"queued", queue_.size()}});
      }
    }
    queue_.push_back({std::move(event), received});
  }
  wake_.notify_one();
}

void EventLogAppender::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    stats_.dropped += queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  written_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool EventLogAppender::waitUntilWritten(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return written_.wait_until(lock, deadline,
                             [this] { return stopping_ || (queue_.empty() && !writing_); });
}

EventLogAppenderStats EventLogAppender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void EventLogAppender::run() {
  std::vector<Pending> batch;
  auto retryDelay = kFirstRetry;
  for (;;) {
    if (batch.empty()) {
      std::unique_lock lock(mutex_);
      writing_ = false;
      written_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      // Repeats of the latest event of their key are left out here, off the callback thread.
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        Pending next = std::move(queue_.front());
        queue_.pop_front();
        auto key = crnp::eventKey(next.event);
        auto known = latest_.find(key);
        if (known != latest_.end() && crnp::equalForClients(known->second, next.event)) {
          ++stats_.repeats;
          continue;
        }
        if (known == latest_.end() && latest_.size() >= options_.maxLatestKeys) latest_.clear();
        latest_.insert_or_assign(std::move(key), next.event);
        batch.push_back(std::move(next));
      }
      if (batch.empty()) continue;
      writing_ = true;
    }
    std::string error;
    auto result = write(batch, error);
    if (result == Written::AlreadyThere) {
      // Written by a try whose answer was lost: its numbers are read back.
      if (auto last = sequenceOfEntry(nextCounter_ + batch.size() - 1)) {
        lastWritten_ = *last;
      } else {
        result = Written::Failed;
        error = "cannot read back an appended batch";
      }
    }
    if (result == Written::Yes || result == Written::AlreadyThere) {
      nextCounter_ += batch.size();
      firstCounter_ = std::max(firstCounter_, firstKept(nextCounter_));
      {
        std::lock_guard lock(mutex_);
        stats_.appended += batch.size();
      }
      batch.clear();
      retryDelay = kFirstRetry;
      continue;
    }
    if (result == Written::Deposed) {
      crnp::slog::warn(kLog, "leadership lost; not appending any more",
                       {{"unwritten", batch.size()}});
      {
        std::lock_guard lock(mutex_);
        stats_.dropped += batch.size() + queue_.size();
        queue_.clear();
        stopping_ = true;
      }
      written_.notify_all();
      onDeposed_("the election key is gone: another replica leads");
      return;
    }
    {
      std::lock_guard lock(mutex_);
      ++stats_.failedTxns;
    }
    crnp::slog::warn(kLog, "appending to the event log failed; retrying",
                     {{"events", batch.size()}, {"error", error}});
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, retryDelay, [this] { return stopping_; })) return;
    retryDelay = std::min(retryDelay * 2, kMaxRetry);
  }
}

EventLogAppender::Written EventLogAppender::write(const std::vector<Pending>& batch,
                                                  std::string& error) {
  etcdserverpb::TxnRequest txn;
  auto* leader = txn.add_compare();
  leader->set_key(leaderKey_);
  leader->set_target(etcdserverpb::Compare::CREATE);
  leader->set_result(etcdserverpb::Compare::EQUAL);
  leader->set_create_revision(leaderRevision_);
  auto* fresh = txn.add_compare();  // not written already (an answer lost on the way back)
  fresh->set_key(keys_.logKey(nextCounter_));
  fresh->set_target(etcdserverpb::Compare::VERSION);
  fresh->set_result(etcdserverpb::Compare::EQUAL);
  fresh->set_version(0);
  std::uint64_t counter = nextCounter_;
  // etcd refuses a Txn that puts one key twice: the latest of each key once, the batch's last.
  std::map<std::string, std::string> latest;
  unsigned place = 0;
  for (const auto& pending : batch) {
    auto value =
        encodeLogEntry({pending.event, pending.received, place, place == 0 ? lastWritten_ : 0});
    ++place;
    auto* log = txn.add_success()->mutable_request_put();
    log->set_key(keys_.logKey(counter++));
    log->set_value(value);
    latest.insert_or_assign(keys_.latestEvents + encodeEventKey(crnp::eventKey(pending.event)),
                            std::move(value));
  }
  for (auto& [key, value] : latest) {
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(std::move(value));
  }
  const std::uint64_t keepFrom = firstKept(counter);
  if (keepFrom > firstCounter_) {
    auto* trim = txn.add_success()->mutable_request_delete_range();
    trim->set_key(keys_.logKey(firstCounter_));
    trim->set_range_end(keys_.logKey(keepFrom));
  }
  auto answer = client_->txn(txn);
  if (!answer) {
    error = answer.error().message;
    return Written::Failed;
  }
  if (answer.value().succeeded()) {
    lastWritten_ =
        sequenceOf(answer.value().header().revision(), static_cast<unsigned>(batch.size() - 1));
    return Written::Yes;
  }
  // Either compare failed: which one says whether the batch is there or the term is over.
  auto current = client_->range({leaderKey_});
  if (!current) {
    error = current.error().message;
    return Written::Failed;
  }
  const bool leads =
      !current.value().kvs().empty() && current.value().kvs(0).create_revision() == leaderRevision_;
  return leads ? Written::AlreadyThere : Written::Deposed;
}

std::optional<std::uint64_t> EventLogAppender::sequenceOfEntry(std::uint64_t counter) {
  auto read = client_->range({keys_.logKey(counter)});
  if (!read || read.value().kvs().empty()) return std::nullopt;
  auto numbered = readLogEntry(read.value().kvs(0));
  if (!numbered) return std::nullopt;
  return numbered->sequence;
}

std::uint64_t EventLogAppender::firstKept(std::uint64_t end) const {
  return end - std::min<std::uint64_t>(end, options_.logEvents);
}

}  // namespace gateway::ha
