#pragma once
// One thread that runs posted tasks in FIFO order. The registration service runs its changes
// here, so neither a gRPC thread nor the upstream's Asio thread ever waits for the registry's
// fsync; the event hub's fan-out runs on another, so ingest never waits for the streams. The
// queue needs no bound of its own: the service has at most one change and one continuation in
// it at a time, the hub at most one hand-out (its signal is coalesced).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace gateway {

class SerialWorker {
 public:
  using Task = std::function<void()>;

  SerialWorker();
  /// stop()s.
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  /// Runs `task` on the worker thread after the tasks posted before it. After stop() the task
  /// runs on the caller's thread instead, so a late completion still finishes its RPC.
  void post(Task task);
  /// Runs what is already queued, then joins the thread. Idempotent; not from a task.
  void stop();
  /// The shape RegistrationService takes. The worker must outlive the returned function's use.
  std::function<void(Task)> executor();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  bool stopped_ = false;  // the thread has left run(): post() runs inline
  std::thread thread_;
};

}  // namespace gateway
