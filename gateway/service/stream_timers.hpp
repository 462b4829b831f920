#pragma once
// StreamTimers: the deadlines of every Subscribe stream (heartbeat, maximum age) in one heap,
// served by one thread, instead of two grpc::Alarm per stream. An idle stream then costs a map
// entry and two heap slots (about 100 bytes) rather than two alarms with their closures, and
// setting up or ending a stream allocates no timer. Deadlines are steady_clock times.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace gateway {

class StreamTimers {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Kind : std::uint8_t { Heartbeat = 0, MaxAge = 1 };

  /// What a deadline calls. Called on the timers' thread, never for a removed client, one call
  /// at a time; it may call schedule() (for any client) but not remove().
  class Client {
   public:
    virtual ~Client() = default;
    virtual void onTimer(Kind kind) = 0;
  };
  using Id = std::uint64_t;

  StreamTimers();
  ~StreamTimers();
  StreamTimers(const StreamTimers&) = delete;
  StreamTimers& operator=(const StreamTimers&) = delete;

  /// Registers `client` (no deadline yet); `client` must outlive its remove().
  Id add(Client& client);
  /// Sets the deadline of `kind` for `id` (replacing an earlier one of that kind). Unknown
  /// (removed) ids are ignored.
  void schedule(Id id, Kind kind, Clock::time_point deadline);
  /// After it returns the client is never called again (a call in progress is waited for).
  /// Not from within onTimer.
  void remove(Id id);

  /// Clients registered (for tests and metrics).
  std::size_t size() const;
  /// Deadlines held, stale ones included (for tests: bounded by the live ones).
  std::size_t heldDeadlines() const;

 private:
  struct Slot {
    Clock::time_point deadline;
    Id id;
    Kind kind;
    bool operator>(const Slot& other) const { return deadline > other.deadline; }
  };
  struct Entry {
    Client* client;
    // Current deadline per kind; a heap slot with another deadline is stale and skipped.
    Clock::time_point deadlines[2];
    bool armed[2] = {false, false};
  };

  void run();
  void compactLocked();

  // Order: callMutex_, then mutex_. The thread holds callMutex_ while it calls clients, so
  // that remove() (which takes it first) waits for a call in progress.
  std::mutex callMutex_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<Id, Entry> entries_;
  std::vector<Slot> heap_;  // min-heap by deadline (std::greater), with stale slots
  Id nextId_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gateway
