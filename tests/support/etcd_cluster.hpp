#pragma once
// EtcdCluster: a real 1- or 3-member etcd (/usr/bin/etcd, Debian's etcd-server) on 127.0.0.1,
// for the etcd tests. Header-only; shares no code with gateway/etcd (health is read from each
// member's plain-HTTP /health endpoint on its metrics port).
//
//   CRNP_REQUIRE_ETCD();                  // GTEST_SKIP when etcd is not installed
//   EtcdCluster etcd(3);                  // started and healthy, or the constructor throws
//   etcd.endpoints();                     // {"127.0.0.1:p1", ...}
//   etcd.kill(0); etcd.restart(0);        // SIGKILL by PID; same data dir, rejoins
//
// Healthy means: /health is true on the metrics port and (without TLS) on the client port.
// Each member gets free ports (client, peer, metrics), a data dir and a zap log file
// (m<i>.log) in a temp dir removed at the end; the destructor stops every member by PID.
// Test timing: heartbeat 50 ms, election timeout 500 ms, so a leader exists within about a
// second and a lost member is noticed quickly.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "raw_socket.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

#define CRNP_REQUIRE_ETCD()                                                     \
  do {                                                                          \
    if (!::crnp::testing::EtcdCluster::available())                             \
      GTEST_SKIP() << "etcd not installed: apt-get install etcd-server (needs " \
                   << ::crnp::testing::EtcdCluster::kEtcd << ")";               \
  } while (false)

namespace crnp::testing {

struct EtcdClusterOptions {
  /// TLS on the client port: the members' certificate (SAN 127.0.0.1) and the CA that
  /// signed the clients' certificates (then client certificates are required).
  std::optional<PemPair> serverTls;
  std::string clientCa;
  /// etcd's --auth-token-ttl (seconds a simple token lives without use); 0: etcd's default.
  int authTokenTtlSeconds = 0;
};

class EtcdCluster {
 public:
  static constexpr const char* kEtcd = "/usr/bin/etcd";
  static bool available() { return ::access(kEtcd, X_OK) == 0; }

  using Options = EtcdClusterOptions;

  explicit EtcdCluster(int members = 3, Options options = {}) : options_(std::move(options)) {
    std::random_device random;
    const std::string token = "crnp-test-" + std::to_string(random());
    std::string initialCluster;
    for (int i = 0; i < members; ++i) {
      Member member;
      member.name = "m" + std::to_string(i);
      member.clientPort = freePort();
      member.peerPort = freePort();
      member.metricsPort = freePort();
      initialCluster += (i ? "," : "") + member.name + "=" + peerUrl(member);
      members_.push_back(std::move(member));
    }
    for (auto& member : members_) {
      member.args = {"--name",
                     member.name,
                     "--data-dir",
                     (dir_.path() / member.name).string(),
                     "--listen-client-urls",
                     clientUrl(member),
                     "--advertise-client-urls",
                     clientUrl(member),
                     "--listen-peer-urls",
                     peerUrl(member),
                     "--initial-advertise-peer-urls",
                     peerUrl(member),
                     "--listen-metrics-urls",
                     "http://127.0.0.1:" + std::to_string(member.metricsPort),
                     "--initial-cluster",
                     initialCluster,
                     "--initial-cluster-token",
                     token,
                     "--initial-cluster-state",
                     "new",
                     "--heartbeat-interval",
                     "50",
                     "--election-timeout",
                     "500",
                     "--logger",
                     "zap",
                     "--log-outputs",
                     logPath(member)};
      if (options_.serverTls) {
        member.args.insert(member.args.end(), {"--cert-file", options_.serverTls->cert,
                                               "--key-file", options_.serverTls->key});
        if (!options_.clientCa.empty())
          member.args.insert(member.args.end(),
                             {"--trusted-ca-file", options_.clientCa, "--client-cert-auth"});
      }
      if (options_.authTokenTtlSeconds > 0)
        member.args.insert(member.args.end(),
                           {"--auth-token-ttl", std::to_string(options_.authTokenTtlSeconds)});
      start(member);
    }
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (!waitHealthy(static_cast<int>(i), std::chrono::seconds(20)))
        throw std::runtime_error("etcd member " + members_[i].name +
                                 " not healthy: " + logTail(static_cast<int>(i)));
    }
  }

  ~EtcdCluster() {
    for (auto& member : members_) member.process.reset();  // SIGTERM, then SIGKILL, by PID
  }
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  std::string endpoint(int i) const {
    return "127.0.0.1:" + std::to_string(members_.at(i).clientPort);
  }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> all;
    for (int i = 0; i < size(); ++i) all.push_back(endpoint(i));
    return all;
  }
  /// "127.0.0.1:p1,127.0.0.1:p2,...": the form of --etcd-endpoints.
  std::string endpointList() const {
    std::string list;
    for (int i = 0; i < size(); ++i) list += (i ? "," : "") + endpoint(i);
    return list;
  }
  pid_t pid(int i) const { return members_.at(i).process ? members_.at(i).process->pid() : -1; }
  bool running(int i) const {
    return members_.at(i).process && !members_.at(i).process->waitExit(std::chrono::seconds(0));
  }

  /// SIGKILL (no clean shutdown), waiting until the process is gone.
  void kill(int i) { signalAndWait(i, SIGKILL); }
  /// SIGTERM (etcd's clean shutdown), waiting until the process is gone.
  void stop(int i) { signalAndWait(i, SIGTERM); }
  /// Starts a stopped member again on its data dir and waits until it is healthy (pass false
  /// when it cannot be on its own: members restarted after a loss of quorum, then
  /// waitRunningHealthy()).
  void restart(int i, bool waitUntilHealthy = true) {
    auto& member = members_.at(i);
    member.process.reset();
    start(member);
    if (waitUntilHealthy && !waitHealthy(i, std::chrono::seconds(20)))
      throw std::runtime_error("etcd member " + member.name +
                               " not healthy after restart: " + logTail(i));
  }

  /// True once member i answers {"health":"true"} on /health (it has a leader and serves).
  bool waitHealthy(int i, std::chrono::steady_clock::duration timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!running(i)) return false;
      if (healthy(i)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  /// True once every running member is healthy: after killing the raft leader, the others
  /// have elected a new one (a write proposed during the election may time out).
  bool waitRunningHealthy(std::chrono::steady_clock::duration timeout) const {
    for (int i = 0; i < size(); ++i) {
      if (running(i) && !waitHealthy(i, timeout)) return false;
    }
    return true;
  }

  /// The end of member i's log, for failure messages.
  std::string logTail(int i, std::size_t bytes = 3000) const {
    std::string text;
    try {
      text = readText(logPath(members_.at(i)));
    } catch (const std::exception&) {
      return "(no log) " + (members_.at(i).process ? members_.at(i).process->output() : "");
    }
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
  }

  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  struct Member {
    std::string name;
    int clientPort = 0;
    int peerPort = 0;
    int metricsPort = 0;
    std::vector<std::string> args;
    std::unique_ptr<ChildProcess> process;
  };

  static int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("no free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
  }

  std::string clientUrl(const Member& member) const {
    return std::string(options_.serverTls ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(member.clientPort);
  }
  static std::string peerUrl(const Member& member) {
    return "http://127.0.0.1:" + std::to_string(member.peerPort);
  }
  std::string logPath(const Member& member) const {
    return (dir_.path() / (member.name + ".log")).string();
  }

  void start(Member& member) {
    member.process = std::make_unique<ChildProcess>(kEtcd, member.args, ChildProcess::Environment{},
                                                    std::chrono::seconds(3));
  }

  void signalAndWait(int i, int signal) {
    auto& process = members_.at(i).process;
    if (!process) return;
    process->sendSignal(signal);
    if (!process->waitExit(std::chrono::seconds(10)))
      throw std::runtime_error("etcd member " + members_.at(i).name + " did not exit");
  }

  // /health on the metrics port says the member has a leader; on the client port (plain
  // HTTP shares it with gRPC) it also says the member serves clients, which it starts only
  // after publishing itself through raft (a restarted member may wait seconds for that).
  bool healthy(int i) const {
    if (!healthAt(members_.at(i).metricsPort)) return false;
    return options_.serverTls || healthAt(members_.at(i).clientPort);
  }

  static bool healthAt(int port) {
    try {
      auto socket = crnp::test::RawSocket::connectTo("127.0.0.1", static_cast<std::uint16_t>(port));
      if (!socket.sendAll("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")) return false;
      const auto answer = socket.readToEnd(std::chrono::seconds(2));
      return answer.data.find("\"health\":\"true\"") != std::string::npos;
    } catch (const std::exception&) {
      return false;
    }
  }

  const Options options_;
  TempDir dir_;
  std::vector<Member> members_;
};

}  // namespace crnp::testing
