#pragma once
// ReplicaSet: N crnp-gateway processes with --store etcd sharing one etcd prefix, replica i
// named r<i> on 127.0.0.<2+i> (gRPC, callbacks and its registration source), each with a data
// dir of its own. Replicas start, stop (SIGTERM) and die (SIGKILL) by index; the leader is
// found through GetClusterState's deployment status.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "eventually.hpp"
#include "gateway_process_fixture.hpp"
#include "grpc/health/v1/health.grpc.pb.h"

namespace crnp::ha {

using namespace std::chrono_literals;
namespace gw = crnp::gateway::v1;
using integration::contextWithDeadline;
using integration::kStartDeadline;

struct ReplicaSetConfig {
  std::string crnpServer;     ///< the sim's CRNP address
  std::string etcdEndpoints;  ///< --etcd-endpoints
  std::string etcdPrefix;     ///< fresh per test: tests share nothing in etcd
  std::string dataRoot;       ///< replica i keeps its data in <dataRoot>/r<i>
  std::chrono::seconds leaseTtl{2};
};

class ReplicaSet {
 public:
  ReplicaSet(int count, ReplicaSetConfig config) : config_(std::move(config)), replicas_(count) {}
  ~ReplicaSet() {
    for (std::size_t i = 0; i < replicas_.size(); ++i) dropStub(static_cast<int>(i));
  }
  ReplicaSet(const ReplicaSet&) = delete;
  ReplicaSet& operator=(const ReplicaSet&) = delete;

  int size() const { return static_cast<int>(replicas_.size()); }
  static std::string name(int i) { return "r" + std::to_string(i); }
  static std::string ip(int i) { return "127.0.0." + std::to_string(2 + i); }

  /// Spawns every replica first, then waits for each one's gRPC port (they start in parallel).
  void startAll() {
    for (int i = 0; i < size(); ++i) spawn(i);
    for (int i = 0; i < size(); ++i) ASSERT_NO_FATAL_FAILURE(awaitListening(i));
  }
  void start(int i) {
    spawn(i);
    ASSERT_NO_FATAL_FAILURE(awaitListening(i));
  }

  /// SIGKILL: no shutdown at all (the lease runs out on its own).
  void kill(int i) {
    dropStub(i);
    auto& process = replicas_.at(i).process;
    ASSERT_TRUE(process && process->sendSignal(SIGKILL));
    ASSERT_TRUE(process->waitExit(kStartDeadline));
    process.reset();
  }
  /// SIGTERM; true after a clean exit (0), a failure with the replica's output otherwise.
  bool stop(int i) {
    dropStub(i);
    auto& process = replicas_.at(i).process;
    if (!process) return true;
    process->sendSignal(SIGTERM);
    const auto status = process->waitExit(kStartDeadline);
    const bool clean = status && status->exitedWith(0);
    EXPECT_TRUE(clean) << name(i) << ": " << (status ? status->describe() : "still running") << "\n"
                       << process->output();
    process.reset();
    return clean;
  }
  bool stopAll() {
    bool clean = true;
    for (int i = 0; i < size(); ++i) clean = stop(i) && clean;
    return clean;
  }
  bool running(int i) const { return replicas_.at(i).process != nullptr; }

  /// Replica i's stub; it must be running (a test bug otherwise, reported as one).
  gw::CrnpGateway::Stub& stub(int i) {
    if (!replicas_.at(i).stub) throw std::logic_error(name(i) + " is not running");
    return *replicas_.at(i).stub;
  }

  /// True when replica i's health service says SERVING for the whole server ("").
  bool serving(int i) {
    if (!running(i)) return false;
    auto health = grpc::health::v1::Health::NewStub(replicas_.at(i).channel);
    grpc::health::v1::HealthCheckResponse answer;
    return health->Check(contextWithDeadline(2s).get(), {}, &answer).ok() &&
           answer.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  std::optional<gw::DeploymentStatus> deployment(int i) {
    if (!running(i)) return std::nullopt;
    gw::ClusterState state;
    if (!stub(i).GetClusterState(contextWithDeadline(2s).get(), {}, &state).ok())
      return std::nullopt;
    return state.deployment();
  }

  /// The index of the leader once every running replica (but `ignored`) names the same one and
  /// that one says it leads; -1 at the deadline.
  int waitForLeader(std::chrono::milliseconds timeout, int ignored = -1) {
    int leader = -1;
    crnp::test::eventually(
        [&] {
          leader = agreedLeader(ignored);
          return leader >= 0;
        },
        timeout);
    return leader;
  }

  /// Returns as soon as a replica other than `former` names a leader other than `former`: that
  /// leader's index, or -1 at the deadline.
  int waitForLeaderOtherThan(int former, std::chrono::milliseconds timeout) {
    int leader = -1;
    crnp::test::eventually(
        [&] {
          for (int i = 0; i < size(); ++i) {
            if (i == former) continue;
            const auto status = deployment(i);
            if (status && !status->leader().empty() && status->leader() != name(former)) {
              leader = indexOf(status->leader());
              return true;
            }
          }
          return false;
        },
        timeout);
    return leader;
  }

  /// Every replica's output so far, for failure messages.
  std::string outputs() const {
    std::string text;
    for (int i = 0; i < size(); ++i) {
      const auto& process = replicas_.at(i).process;
      text += "----- " + name(i) + (process ? "" : " (not running)") + " -----\n";
      if (process) text += process->output();
    }
    return text;
  }

 private:
  struct Replica {
    std::unique_ptr<testing::ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<gw::CrnpGateway::Stub> stub;
  };

  std::vector<std::string> args(int i) const {
    const std::string host = ip(i);
    return {"--store",
            "etcd",
            "--etcd-endpoints",
            config_.etcdEndpoints,
            "--etcd-prefix",
            config_.etcdPrefix,
            "--replica-name",
            name(i),
            "--leader-lease-ttl",
            std::to_string(config_.leaseTtl.count()) + "s",
            "--grpc-listen",
            host + ":0",
            "--callback-listen",
            host + ":0",
            "--registration-source",
            host,
            "--crnp-server",
            config_.crnpServer,
            "--reply-timeout",
            "1s",
            "--connect-timeout",
            "1s",
            "--metrics-listen",
            "off",
            "--data-dir",
            config_.dataRoot + "/" + name(i),
            "--shutdown-timeout",
            "5s"};
  }

  void spawn(int i) {
    auto& replica = replicas_.at(i);
    ASSERT_FALSE(replica.process) << name(i) << " is running";
    replica.process =
        std::make_unique<testing::ChildProcess>(CRNP_BIN_DIR "/crnp-gateway", args(i));
  }

  // Only the gRPC port: a follower need not listen for callbacks.
  void awaitListening(int i) {
    auto& replica = replicas_.at(i);
    auto line = replica.process->waitForLine(std::regex(R"(gRPC listening on ([^\s"]+:\d+))"),
                                             kStartDeadline);
    ASSERT_TRUE(line) << name(i) << ":\n" << replica.process->output();
    replica.channel = grpc::CreateChannel((*line)[1], grpc::InsecureChannelCredentials());
    replica.stub = gw::CrnpGateway::NewStub(replica.channel);
  }

  // Channels go before their servers (see GatewayProcessFixture::TearDown).
  void dropStub(int i) {
    replicas_.at(i).stub.reset();
    replicas_.at(i).channel.reset();
  }

  int indexOf(const std::string& replicaName) const {
    for (int i = 0; i < size(); ++i) {
      if (name(i) == replicaName) return i;
    }
    return -1;
  }

  int agreedLeader(int ignored) {
    std::string leader;
    for (int i = 0; i < size(); ++i) {
      if (i == ignored || !running(i)) continue;
      const auto status = deployment(i);
      if (!status || status->leader().empty()) return -1;
      if (!leader.empty() && status->leader() != leader) return -1;
      leader = status->leader();
    }
    const int index = indexOf(leader);
    if (index < 0 || index == ignored || !running(index)) return -1;
    const auto own = deployment(index);
    return own && own->is_leader() ? index : -1;
  }

  const ReplicaSetConfig config_;
  std::vector<Replica> replicas_;
};

}  // namespace crnp::ha
