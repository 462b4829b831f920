#pragma once
// EventLogAppender: the leader's side of the deployment's event log in etcd (layout in
// replication_keys.hpp). It exists for one leadership term.
//
// append() runs on the upstream's callback thread: it only queues (O(1), no I/O). A thread of
// its own writes the queue in batches, each one etcd Txn that
// - succeeds only while this replica still holds the leadership it was created for (the
//   election key with the campaign's create revision): a deposed leader appends nothing, even
//   an event it received just before, and
// - puts each event under the next log key and as the latest of its event key, and trims the
//   oldest log keys beyond `logEvents` (the ring's size), in the same revision.
// An event equal (crnp::equalForClients) to the latest of its key is not appended: the cluster
// answers every ADD_CLIENT (each re-registration, each failover) with the latest event of
// every type, which would otherwise grow the log with repeats.
//
// When etcd does not answer, the batch is retried (back-off 100 ms to 1 s) while the queue
// grows up to `maxQueued`; beyond it the oldest queued events are dropped, counted and logged
// (the next leader's re-registration brings the current state back). A batch whose answer was
// lost is not written twice: the retry is conditional on its first log key not existing.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "crnp/messages.hpp"
#include "etcd_client.hpp"
#include "replication_keys.hpp"

namespace gateway::ha {

struct EventLogAppenderOptions {
  std::size_t logEvents = 100'000;     ///< log keys kept (the ring's size)
  std::size_t maxQueued = 65'536;      ///< events waiting for etcd, at most
  std::size_t maxLatestKeys = 65'536;  ///< keys remembered for duplicate suppression
};

struct EventLogAppenderStats {
  std::uint64_t appended = 0;    ///< events written to the log
  std::uint64_t repeats = 0;     ///< not appended: equal to the latest of their key
  std::uint64_t dropped = 0;     ///< lost: the queue was full while etcd did not answer
  std::uint64_t failedTxns = 0;  ///< etcd errors (each retried)
};

class EventLogAppender {
 public:
  /// `onDeposed` runs once, on the appender's thread, when a Txn found the leadership gone.
  using OnDeposed = std::function<void(const std::string& why)>;

  /// Reads where the log ends and the latest events (for suppression), then starts the
  /// writing thread. `leaderKey`/`leaderRevision`: the election key this term holds.
  static etcd::EtcdResult<std::unique_ptr<EventLogAppender>> start(
      etcd::EtcdClientPtr client, ReplicationKeys keys, std::string leaderKey,
      std::int64_t leaderRevision, EventLogAppenderOptions options, OnDeposed onDeposed);

  ~EventLogAppender();  ///< stop()s
  EventLogAppender(const EventLogAppender&) = delete;
  EventLogAppender& operator=(const EventLogAppender&) = delete;

  /// Queues `event`; never blocks. Ignored after stop().
  void append(crnp::Event event, std::chrono::system_clock::time_point received);
  /// Stops at once: what is queued is dropped (counted), a Txn in flight may still land (it
  /// is conditional on the leadership). Joins the thread. Idempotent.
  void stop();
  /// Waits until the queue is written (tests, a clean hand-over); false at the deadline.
  bool waitUntilWritten(std::chrono::steady_clock::time_point deadline);

  EventLogAppenderStats stats() const;

 private:
  struct Pending {
    crnp::Event event;
    std::chrono::system_clock::time_point received;
  };
  enum class Written { Yes, AlreadyThere, Deposed, Failed };

  EventLogAppender(etcd::EtcdClientPtr client, ReplicationKeys keys, std::string leaderKey,
                   std::int64_t leaderRevision, EventLogAppenderOptions options,
                   OnDeposed onDeposed);
  void run();
  Written write(const std::vector<Pending>& batch, std::string& error);
  /// The sequence number of the log entry `counter` (after an answer was lost).
  std::optional<std::uint64_t> sequenceOfEntry(std::uint64_t counter);
  /// The oldest log key kept once the log ends before `end`: the log holds logEvents keys.
  std::uint64_t firstKept(std::uint64_t end) const;

  const etcd::EtcdClientPtr client_;
  const ReplicationKeys keys_;
  const std::string leaderKey_;
  const std::int64_t leaderRevision_;
  const EventLogAppenderOptions options_;
  const OnDeposed onDeposed_;

  mutable std::mutex mutex_;  // the queue, the flags and the counters; never held over I/O
  std::condition_variable wake_;
  std::condition_variable written_;
  std::deque<Pending> queue_;
  bool writing_ = false;  // a batch taken from the queue is being written
  bool stopping_ = false;
  EventLogAppenderStats stats_;

  // The writing thread's own state.
  std::uint64_t nextCounter_ = 0;   // the next log key
  std::uint64_t firstCounter_ = 0;  // the oldest log key kept
  std::uint64_t lastWritten_ = 0;   // sequence number of the newest entry (0: none)
  std::map<crnp::EventType, crnp::Event> latest_;
  std::thread thread_;
};

}  // namespace gateway::ha
