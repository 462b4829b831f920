#pragma once
// EtcdLeaderObserver: follows who leads an election (Election.Observe) on a thread of its own.
// etcd sends the current leader first, then each change (a new leader, or a Proclaim of a new
// value). After a broken stream it reports the error and observes again (back-off 50 ms
// doubling to 2 s); the first answer of the new stream is the leader at that time, which may
// repeat the last one delivered. Handlers run on the observer's thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "etcd_client.hpp"

namespace gateway::etcd {

class EtcdLeaderObserver {
 public:
  using OnLeader = std::function<void(const mvccpb::KeyValue& leader)>;
  using OnError = std::function<void(const EtcdError&)>;

  EtcdLeaderObserver(EtcdClientPtr client, std::string name, OnLeader onLeader, OnError onError);
  ~EtcdLeaderObserver();
  EtcdLeaderObserver(const EtcdLeaderObserver&) = delete;
  EtcdLeaderObserver& operator=(const EtcdLeaderObserver&) = delete;

 private:
  void run();
  bool observeOnce();  // true when etcd answered at least once

  const EtcdClientPtr client_;
  const std::string name_;
  const OnLeader onLeader_;
  const OnError onError_;
  std::mutex mutex_;  // guards the fields below; never held over I/O
  std::condition_variable wake_;
  bool stopping_ = false;
  grpc::ClientContext* current_ = nullptr;
  std::thread thread_;
};

}  // namespace gateway::etcd
