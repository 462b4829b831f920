#pragma once
// EventLogWriter: the EventJournal of a gateway with a --data-dir. The hub's ingest only queues
// (bounded, O(1)); the writer's own thread takes everything queued and writes it as one
// transaction (group commit: events arriving during an fsync go into the next one), raising the
// durable reservation of sequence numbers ahead of use. Live delivery never waits for it.
//
// Nothing is lost silently: an event that finds the queue full, or whose transaction fails, is
// counted and logged, and the log's coverage moves past it (a token from before it resets
// after a restart instead of missing it). The gateway keeps serving either way.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "event_hub.hpp"
#include "event_log_store.hpp"

namespace gateway {

struct EventLogStats {
  std::uint64_t persisted = 0;     ///< events committed
  std::uint64_t writeErrors = 0;   ///< transactions that failed
  std::uint64_t notPersisted = 0;  ///< events lost to write errors or a full queue
  std::uint64_t batches = 0;       ///< transactions committed
  std::size_t queued = 0;          ///< events waiting for the writer
};

class EventLogWriter final : public EventJournal {
 public:
  /// Test seam: runs on the writer's thread before each transaction.
  struct Hooks {
    std::function<void()> beforeWrite;
  };

  EventLogWriter(std::unique_ptr<EventLogStore> store, std::size_t maxQueued,
                 std::uint64_t reserveAhead, Hooks hooks = {});
  /// stop()s.
  ~EventLogWriter() override;
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  // EventJournal
  void append(std::shared_ptr<const StoredEvent> event) override;
  std::uint64_t reservedThrough() const override { return reserved_.load(); }
  void abandon() override;

  /// Writes what is queued, marks the log stopped cleanly (unless abandoned) and joins the
  /// thread. Call once nothing is ingested any more; later appends are only counted.
  /// Idempotent.
  void stop();
  EventLogStats stats() const;

 private:
  void run();
  void write(std::vector<std::shared_ptr<const StoredEvent>> events, std::uint64_t lostThrough);

  const std::unique_ptr<EventLogStore> store_;  // used on the writer's thread only
  const std::size_t maxQueued_;
  const std::uint64_t reserveAhead_;
  const Hooks hooks_;
  std::atomic<std::uint64_t> reserved_;
  std::atomic<std::uint64_t> persisted_{0};
  std::atomic<std::uint64_t> writeErrors_{0};
  std::atomic<std::uint64_t> notPersisted_{0};
  std::atomic<std::uint64_t> batches_{0};

  mutable std::mutex mutex_;  // the state below; never held across a write
  std::condition_variable wake_;
  std::vector<std::shared_ptr<const StoredEvent>> queue_;
  std::uint64_t lastAppended_ = 0;
  std::uint64_t lostThrough_ = 0;  // highest sequence that will never be written
  bool overflowLogged_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  bool abandoned_ = false;
  // Writer's thread only: latest-of-key updates of failed transactions, retried with the next.
  std::map<crnp::EventType, JournalEntry> pendingLatest_;
  std::thread thread_;
};

}  // namespace gateway
