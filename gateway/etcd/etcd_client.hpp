#pragma once
// EtcdClient: etcd 3.4's gRPC API (proto/etcd/...) over one channel to all the members.
//
// The channel's target lists every member ("ipv4:10.0.0.1:2379,10.0.0.2:2379,...", host names
// resolved at connect) with gRPC's pick_first policy: calls go to one member, and when it
// fails to the next one in the list (reconnect back-off 100 ms to 1 s). After every member was
// down, the first calls fail fast until a member answers again (about 10 s in the tests). Every
// unary call has a deadline (requestTimeout); only Campaign waits without one, cancellable through
// an EtcdCancellation. A call that failed is not retried here, except reads (Range, Leader, lease
// keep-alive and TTL) once after UNAVAILABLE; writes are left to the caller, who knows whether
// repeating them is safe.
//
// Authentication: with a username, Auth.Authenticate gives a token that every call carries as
// "token" metadata; when etcd says the token is no longer valid (it expires after
// --auth-token-ttl of idleness, or the auth store changed), the client authenticates again and
// repeats the call once.
//
// Threads: every method is thread-safe and blocking (synchronous gRPC). The long-lived streams
// (EtcdWatch, EtcdLeaseKeeper, EtcdLeaderObserver) each run on a thread of their own. No lock
// is held across a call: the token is copied out under a small mutex.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "etcd_cancellation.hpp"
#include "etcd_options.hpp"
#include "etcd_result.hpp"

namespace gateway::etcd {

/// range(): one key, or every key under a prefix.
struct RangeQuery {
  std::string key;
  bool prefix = false;        ///< every key starting with `key`
  std::int64_t revision = 0;  ///< read at this revision (0: the latest)
  std::int64_t limit = 0;     ///< at most this many keys (0: all)
  /// With `prefix`: only keys after this one (the last key of the previous page).
  std::string after{};
  bool descending = false;  ///< keys in descending order (limit 1: the last key)
};

/// rangePrefix(): every key under a prefix, read at one revision.
struct PrefixRange {
  std::vector<mvccpb::KeyValue> kvs;  ///< in key order
  std::int64_t revision = 0;          ///< the revision read at
  std::uint64_t clusterId = 0;        ///< the etcd cluster's id (header.cluster_id)
};

class EtcdClient {
 public:
  using Clock = std::chrono::system_clock;  // gRPC deadlines are system_clock time points

  /// Builds the channel and waits (up to dialTimeout) until a member answers; authenticates
  /// when a username is set. The error says which endpoints and what failed.
  static EtcdResult<std::shared_ptr<EtcdClient>> connect(const EtcdClientOptions& options);

  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // KV
  EtcdResult<etcdserverpb::RangeResponse> range(const RangeQuery& query);
  /// Every key under `prefix` at `revision` (0: the latest), in pages of `pageSize` keys all
  /// read at the revision of the first, so that no single answer grows with the store.
  EtcdResult<PrefixRange> rangePrefix(const std::string& prefix, std::int64_t revision = 0,
                                      std::int64_t pageSize = 1000);
  /// Puts key=value, attached to `lease` when not 0.
  EtcdResult<etcdserverpb::PutResponse> put(const std::string& key, const std::string& value,
                                            std::int64_t lease = 0);
  /// Deletes one key, or every key under `key` when prefix is set.
  EtcdResult<etcdserverpb::DeleteRangeResponse> remove(const std::string& key, bool prefix = false);
  EtcdResult<etcdserverpb::TxnResponse> txn(const etcdserverpb::TxnRequest& request);
  /// Compacts the history up to `revision` (tests; operators use etcd's auto-compaction).
  EtcdResult<etcdserverpb::CompactionResponse> compact(std::int64_t revision);

  // Lease
  EtcdResult<etcdserverpb::LeaseGrantResponse> leaseGrant(std::chrono::seconds ttl);
  EtcdResult<EtcdDone> leaseRevoke(std::int64_t lease);
  /// One renewal (a short LeaseKeepAlive stream); TTL <= 0 in the answer: the lease is gone.
  EtcdResult<etcdserverpb::LeaseKeepAliveResponse> leaseKeepAliveOnce(std::int64_t lease);
  EtcdResult<etcdserverpb::LeaseTimeToLiveResponse> leaseTimeToLive(std::int64_t lease);

  // Election (etcd's v3election service; the key is tied to the campaigner's lease)
  /// Blocks until this campaigner leads `name` (or the call fails, or `cancel` fires).
  EtcdResult<v3electionpb::LeaderKey> campaign(const std::string& name, std::int64_t lease,
                                               const std::string& value,
                                               EtcdCancellation* cancel = nullptr);
  /// The current leader's key and value; NOT_FOUND when nobody leads.
  EtcdResult<mvccpb::KeyValue> leader(const std::string& name);
  EtcdResult<EtcdDone> proclaim(const v3electionpb::LeaderKey& leader, const std::string& value);
  EtcdResult<EtcdDone> resign(const v3electionpb::LeaderKey& leader);

  // Auth (tests turn authentication on with these; the gateway only authenticates)
  etcdserverpb::Auth::Stub& authStub() { return *auth_; }

  // For the stream helpers (EtcdWatch, EtcdLeaderObserver) and this class.
  /// Adds the token (authenticating first when needed) and the deadline, if any. An error
  /// when authentication failed.
  std::optional<EtcdError> prepare(grpc::ClientContext& context,
                                   std::optional<Clock::time_point> deadline);
  /// After a failed call: forgets the token when etcd rejected it, so that the next
  /// prepare() authenticates again. True when it did.
  bool forgetTokenIfRejected(const grpc::Status& status);
  /// After UNAVAILABLE: asks the channel to connect to the members again now.
  void reconnect();
  /// "etcd <what> (<peer or endpoints>): <CODE>: <message>".
  EtcdError describe(std::string_view what, const grpc::Status& status,
                     const grpc::ClientContext* context = nullptr) const;
  etcdserverpb::Watch::Stub& watchStub() { return *watch_; }
  v3electionpb::Election::Stub& electionStub() { return *election_; }
  const EtcdClientOptions& options() const { return options_; }
  /// The endpoints as given, for messages: "127.0.0.1:2379,127.0.0.1:22379".
  const std::string& endpointList() const { return endpointList_; }

 private:
  EtcdClient(EtcdClientOptions options, std::shared_ptr<grpc::Channel> channel);

  /// One unary call with the request deadline, the token (re-authenticating once), and for
  /// reads one repeat after UNAVAILABLE.
  template <class Response, class Invoke>
  EtcdResult<Response> unary(std::string_view what, bool idempotent, Invoke invoke);
  std::optional<EtcdError> authenticate();
  Clock::time_point requestDeadline() const { return Clock::now() + options_.requestTimeout; }

  const EtcdClientOptions options_;
  const std::string endpointList_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;
  std::unique_ptr<etcdserverpb::Auth::Stub> auth_;
  std::unique_ptr<v3electionpb::Election::Stub> election_;
  std::mutex tokenMutex_;  // held only to copy or replace token_
  std::string token_;      // empty: not authenticated (yet, or again)
};

using EtcdClientPtr = std::shared_ptr<EtcdClient>;

}  // namespace gateway::etcd
