#pragma once
// HaFixture: the multi-replica deployment the HA tests run against: a 3-member etcd on
// 127.0.0.1, one crnp-sim admitting 127.0.0.0/8, and 3 replicas (ReplicaSet) on 127.0.0.2-4
// under a fresh etcd prefix, with a leader elected before the test body runs. Skips when etcd
// is not installed.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "etcd_cluster.hpp"
#include "gateway_process_fixture.hpp"
#include "replica_set.hpp"
#include "stream_log.hpp"

namespace crnp::ha {

/// The lease TTL the replicas run with; the failover bound is stated against it.
inline constexpr std::chrono::seconds kLeaseTtl{2};
/// Start-up on a loaded 2-core machine: etcd, three gateways and their first election.
inline constexpr std::chrono::milliseconds kFirstLeaderDeadline{30000};

class HaFixture : public integration::GatewayProcessFixture {
 protected:
  static constexpr int kReplicas = 3;

  void SetUp() override {
    CRNP_REQUIRE_ETCD();
    etcd_ = std::make_unique<testing::EtcdCluster>(3);
    ASSERT_NO_FATAL_FAILURE(startSim("127.0.0.1:0", {"--allow-hosts", "127.0.0.0/8"}));
    std::random_device random;
    prefix_ = "/crnp-ha-" + std::to_string(random()) + std::to_string(random());
    replicas_ = std::make_unique<ReplicaSet>(
        kReplicas, ReplicaSetConfig{simCrnpAddress_, etcd_->endpointList(), prefix_,
                                    dataDir_.string(), kLeaseTtl});
    ASSERT_NO_FATAL_FAILURE(replicas_->startAll());
    leader_ = replicas_->waitForLeader(kFirstLeaderDeadline);
    ASSERT_GE(leader_, 0) << "no leader all replicas agree on\n" << replicas_->outputs();
  }

  // Streams before the replicas, replicas before the sim, etcd last (the replicas' store).
  void TearDown() override {
    streams_.clear();
    if (HasFailure() && replicas_) std::cout << replicas_->outputs();
    if (HasFailure() && sim_) std::cout << "----- crnp-sim -----\n" << sim_->output();
    replicas_.reset();
    GatewayProcessFixture::TearDown();
    etcd_.reset();
  }

  /// The k-th running replica that is not the leader (k = 0, 1); -1 when there is none.
  int follower(int k) const {
    for (int i = 0; i < kReplicas; ++i) {
      if (i != leader_ && replicas_->running(i) && k-- == 0) return i;
    }
    return -1;
  }

  gw::CrnpGateway::Stub& stub(int i) { return replicas_->stub(i); }

  /// A stream on replica i, kept until the test ends.
  StreamLog& subscribeOn(int i, const std::string& id, const std::string& token = "") {
    streams_.push_back(std::make_unique<StreamLog>(subscribe(stub(i), id, token)));
    return *streams_.back();
  }

  /// True when the sim holds exactly one client and its callback address is on `ip`.
  bool simHasOneClientOn(const std::string& ip) {
    const auto response = listClients();
    return response.clients_size() == 1 && response.clients(0).address().rfind(ip + ":", 0) == 0;
  }
  /// True when the sim holds a client on `ip` registered for some event type.
  bool simHasRegisteredClientOn(const std::string& ip) {
    const auto response = listClients();
    for (const auto& client : response.clients()) {
      if (client.address().rfind(ip + ":", 0) == 0 && client.event_types_size() > 0) return true;
    }
    return false;
  }

  /// Registers `id` for every EC_Cluster event on replica `on`, waits until the leader holds
  /// the CRNP registration, and opens a stream (snapshot read) on each running replica.
  /// Indexed by replica; nullptr for a replica that is not running.
  std::vector<StreamLog*> registerAndSubscribeAll(const std::string& id, int on) {
    const auto status = registerTypes(stub(on), id, {integration::eventType("EC_Cluster")});
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(
        crnp::test::eventually([&] { return simHasRegisteredClientOn(ReplicaSet::ip(leader_)); },
                               integration::kConvergeDeadline))
        << "the leader " << ReplicaSet::name(leader_)
        << " did not register: " << listClients().DebugString();
    std::vector<StreamLog*> streams(kReplicas, nullptr);
    for (int i = 0; i < kReplicas; ++i) {
      if (!replicas_->running(i)) continue;
      // A replica serves a registration once its watch has it.
      EXPECT_TRUE(crnp::test::eventually(
          [&] {
            gw::Registration ignored;
            return getRegistration(stub(i), id, &ignored).ok();
          },
          integration::kConvergeDeadline));
      StreamLog& stream = subscribeOn(i, id);
      EXPECT_TRUE(stream.readSnapshot()) << ReplicaSet::name(i) << ": " << stream.describe();
      streams[i] = &stream;
    }
    return streams;
  }

  /// Reads each stream (nullptr: none) until the event carrying `last`.
  static void readAllUntil(const std::vector<StreamLog*>& streams, const std::string& last,
                           std::chrono::milliseconds timeout = 15000ms) {
    for (auto* stream : streams) {
      if (stream == nullptr) continue;
      EXPECT_TRUE(stream->readUntilMarker(last, timeout))
          << "no " << last << ": " << stream->describe();
    }
  }

  std::unique_ptr<testing::EtcdCluster> etcd_;
  std::string prefix_;
  std::unique_ptr<ReplicaSet> replicas_;
  int leader_ = -1;
  std::vector<std::unique_ptr<StreamLog>> streams_;
};

}  // namespace crnp::ha
