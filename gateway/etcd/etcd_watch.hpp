#pragma once
// EtcdWatch: follows every change under a key prefix from a revision on, on a thread of its
// own (one blocking Watch stream at a time).
//
// Guarantees: batches arrive in revision order, each event exactly once. When the stream
// breaks (member down, leader lost: the stream asks for "hasleader", network), the watch
// reports the error and opens a new stream from the revision after the last delivered event,
// after a back-off of 50 ms doubling to 2 s; nothing is skipped or repeated across the gap.
// When etcd has compacted the history past that revision it says so (onCompacted): the
// caller reloads the current state and answers the revision to continue from, or nullopt to
// end the watch.
//
// The handlers run on the watch's thread, one at a time; they must not block for long and
// must not destroy the watch.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "etcd_client.hpp"

namespace gateway::etcd {

struct EtcdWatchBatch {
  std::int64_t headerRevision = 0;  ///< the store's revision when etcd sent the batch
  std::vector<mvccpb::Event> events;
};

struct EtcdWatchHandlers {
  std::function<void(EtcdWatchBatch)> onEvents;
  /// History up to `compactRevision` is gone. Return the revision to continue from (after
  /// reloading), or nullopt to end the watch.
  std::function<std::optional<std::int64_t>(std::int64_t compactRevision)> onCompacted;
  /// A stream ended with an error; the watch reconnects by itself.
  std::function<void(const EtcdError&)> onError;
};

class EtcdWatch {
 public:
  /// Starts watching every key under `prefix` from `startRevision` (0: from now on).
  EtcdWatch(EtcdClientPtr client, std::string prefix, std::int64_t startRevision,
            EtcdWatchHandlers handlers);
  /// Stops (cancels the stream) and joins the thread.
  ~EtcdWatch();
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

  /// The revision a new stream would start from: one past the last delivered event.
  std::int64_t nextRevision() const;
  /// Streams opened so far (1 once running; more after reconnections). For tests and logs.
  int streamsOpened() const;

 private:
  void run();
  /// One stream, until it ends. The compact revision when etcd reported a compaction;
  /// `created` tells whether etcd accepted the watch.
  std::optional<std::int64_t> followOneStream(bool& created);
  bool waitUnlessStopping(std::chrono::milliseconds delay);

  const EtcdClientPtr client_;
  const std::string prefix_;
  const EtcdWatchHandlers handlers_;
  mutable std::mutex mutex_;      // guards the fields below; never held over I/O
  std::condition_variable wake_;  // stop() during a back-off
  bool stopping_ = false;
  grpc::ClientContext* current_ = nullptr;  // the open stream's context, to cancel it
  std::int64_t nextRevision_;
  int streamsOpened_ = 0;
  std::thread thread_;
};

}  // namespace gateway::etcd
