#include "event_log_writer.hpp"

#include <algorithm>
#include <utility>

#include "crnp/structured_log.hpp"

namespace gateway {
namespace {
constexpr std::string_view kComponent = "eventlog";
}  // namespace

EventLogWriter::EventLogWriter(std::unique_ptr<EventLogStore> store, std::size_t maxQueued,
                               std::uint64_t reserveAhead, Hooks hooks)
    : store_(std::move(store)),
      maxQueued_(std::max<std::size_t>(maxQueued, 1)),
      reserveAhead_(std::max<std::uint64_t>(reserveAhead, 2)),
      hooks_(std::move(hooks)),
      reserved_(store_->reservedThrough()),
      thread_([this] { run(); }) {}

EventLogWriter::~EventLogWriter() { stop(); }

void EventLogWriter::append(std::shared_ptr<const StoredEvent> event) {
  // Published from here on, whether or not it is ever written.
  store_->watermark().record(event->sequence);
  std::unique_lock lock(mutex_);
  if (stopping_ || abandoned_) {
    if (!abandoned_) notPersisted_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (queue_.size() >= maxQueued_) {
    lostThrough_ = event->sequence;
    notPersisted_.fetch_add(1, std::memory_order_relaxed);
    if (!std::exchange(overflowLogged_, true)) {
      lock.unlock();
      crnp::slog::error(kComponent, "writer queue full; events not persisted",
                        {{"reason", "the event log's writer is behind (slow or failing disk)"},
                         {"sequence", event->sequence},
                         {"queued", maxQueued_}});
    }
    return;
  }
  lastAppended_ = event->sequence;
  queue_.push_back(std::move(event));
  if (queue_.size() == 1) wake_.notify_one();  // the writer waits only on an empty queue
}

void EventLogWriter::abandon() {
  std::lock_guard lock(mutex_);
  abandoned_ = true;
  queue_.clear();
}

void EventLogWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

EventLogStats EventLogWriter::stats() const {
  EventLogStats stats;
  stats.persisted = persisted_.load();
  stats.writeErrors = writeErrors_.load();
  stats.notPersisted = notPersisted_.load();
  stats.batches = batches_.load();
  std::lock_guard lock(mutex_);
  stats.queued = queue_.size();
  return stats;
}

void EventLogWriter::run() {
  for (;;) {
    std::vector<std::shared_ptr<const StoredEvent>> events;
    std::uint64_t lostThrough = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      // Group commit: let a burst gather for a moment, so that a flood costs one transaction
      // (and one wake-up of this thread) per window rather than per handful of events. A crash
      // loses at most the window; the watermark makes those tokens reset, never miss events.
      if (!stopping_) {
        wake_.wait_for(lock, kGroupCommitWindow, [this] { return stopping_; });
      }
      if (queue_.empty() || abandoned_) break;  // stopping (or abandoned): nothing left to write
      events.swap(queue_);
      lostThrough = lostThrough_;
      overflowLogged_ = false;
    }
    if (hooks_.beforeWrite) hooks_.beforeWrite();
    write(std::move(events), lostThrough);
  }
  std::uint64_t last;
  {
    std::lock_guard lock(mutex_);
    if (abandoned_) return;
    last = std::max(lastAppended_, lostThrough_);
  }
  if (auto error = store_->closeClean(last)) {
    crnp::slog::error(kComponent, "cannot mark a clean stop",
                      {{"reason", *error}, {"path", store_->path()}});
    return;
  }
  crnp::slog::info(kComponent, "stopped cleanly", {{"last_sequence", last}});
}

void EventLogWriter::write(std::vector<std::shared_ptr<const StoredEvent>> events,
                           std::uint64_t lostThrough) {
  EventLogBatch batch;
  batch.events.reserve(events.size());
  for (const auto& stored : events) {
    batch.events.push_back({{stored->sequence, stored->event, stored->received}, stored->bytes});
  }
  for (const auto& [key, entry] : pendingLatest_) batch.latestOnly.push_back(entry);
  batch.lostThrough = lostThrough;
  const std::uint64_t last = events.back()->sequence;
  if (last + reserveAhead_ / 2 > store_->reservedThrough()) {
    batch.reserveThrough = last + reserveAhead_;
  }
  if (auto error = store_->write(batch)) {
    writeErrors_.fetch_add(1, std::memory_order_relaxed);
    notPersisted_.fetch_add(events.size(), std::memory_order_relaxed);
    for (const auto& stored : events) {
      pendingLatest_[stored->key] = {stored->sequence, stored->event, stored->received};
    }
    {
      std::lock_guard lock(mutex_);
      lostThrough_ = std::max(lostThrough_, last);
    }
    crnp::slog::error(kComponent, "write failed; events not persisted",
                      {{"reason", *error},
                       {"path", store_->path()},
                       {"first_sequence", events.front()->sequence},
                       {"last_sequence", last}});
    return;
  }
  pendingLatest_.clear();
  reserved_ = store_->reservedThrough();
  persisted_.fetch_add(events.size(), std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace gateway
