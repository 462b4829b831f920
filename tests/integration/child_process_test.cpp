// Tests of the process and port helpers the integration tests rely on (tests/support/).
#include "child_process.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <string>
#include <system_error>

#include "tcp_port.hpp"

namespace crnp::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kGenerous = 10s;  // never reached when things work

// Gone, or a zombie nobody has reaped yet (PID 1 of a container may not reap orphans).
bool processGone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool waitUntilGone(pid_t pid, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  // SIGKILL delivery is asynchronous and the kernel offers no wait for a non-child.
  while (!processGone(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(ChildProcessTest, WaitForLineReturnsCapturedGroups) {
  ChildProcess child("/bin/sh", {"-c", "echo starting; echo ready on 123; sleep 30"});
  const auto match = child.waitForLine(std::regex(R"(ready on (\d+))"), kGenerous);
  ASSERT_TRUE(match) << child.output();
  EXPECT_EQ((*match)[0], "ready on 123");
  EXPECT_EQ((*match)[1], "123");
  EXPECT_EQ(match->line, 1u);
  EXPECT_EQ(child.output(), "starting\nready on 123\n");
}

TEST(ChildProcessTest, SigtermEndsTheChildAndReportsTheSignal) {
  ChildProcess child("/bin/sh", {"-c", "echo up; sleep 30"});
  ASSERT_TRUE(child.waitForLine(std::regex("^up$"), kGenerous)) << child.output();
  EXPECT_FALSE(child.waitExit(0ms));
  ASSERT_TRUE(child.sendSignal(SIGTERM));
  const auto status = child.waitExit(kGenerous);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGTERM) << status->describe();
  EXPECT_FALSE(child.sendSignal(SIGTERM)) << "no signal after the child has been reaped";
}

TEST(ChildProcessTest, ReportsExitCode) {
  ChildProcess child("/bin/sh", {"-c", "exit 7"});
  const auto status = child.waitExit(kGenerous);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exitedWith(7)) << status->describe();
}

TEST(ChildProcessTest, PassesExtraEnvironmentOverridingInheritedVariables) {
  ::setenv("CRNP_CHILD_TEST_INHERITED", "parent", 1);
  ChildProcess child(
      "/bin/sh", {"-c", R"(echo "v=$CRNP_CHILD_TEST_VAR i=$CRNP_CHILD_TEST_INHERITED")"},
      {{"CRNP_CHILD_TEST_VAR", "hello world"}, {"CRNP_CHILD_TEST_INHERITED", "child"}});
  const auto match = child.waitForLine(std::regex("^v=(.*) i=(.*)$"), kGenerous);
  ::unsetenv("CRNP_CHILD_TEST_INHERITED");
  ASSERT_TRUE(match) << child.output();
  EXPECT_EQ((*match)[1], "hello world");
  EXPECT_EQ((*match)[2], "child");
}

TEST(ChildProcessTest, CapturesStderrAndAFinalLineWithoutNewline) {
  ChildProcess child("/bin/sh", {"-c", "echo oops >&2; printf 'no newline'"});
  ASSERT_TRUE(child.waitForLine(std::regex("^oops$"), kGenerous)) << child.output();
  ASSERT_TRUE(child.waitForLine(std::regex("^no newline$"), kGenerous)) << child.output();
}

TEST(ChildProcessTest, FromLineSkipsEarlierMatches) {
  ChildProcess child("/bin/sh", {"-c", "echo event 1; echo other; echo event 2; sleep 30"});
  const std::regex event(R"(^event (\d)$)");
  const auto first = child.waitForLine(event, kGenerous);
  ASSERT_TRUE(first) << child.output();
  const auto second = child.waitForLine(event, kGenerous, first->line + 1);
  ASSERT_TRUE(second) << child.output();
  EXPECT_EQ((*second)[1], "2");
  EXPECT_EQ(second->line, 2u);
  EXPECT_EQ(child.lineCount(), 3u);
}

TEST(ChildProcessTest, WaitForLineGivesUpAtOnceWhenTheChildIsGone) {
  ChildProcess child("/bin/sh", {"-c", "echo something else"});
  const auto start = Clock::now();
  EXPECT_FALSE(child.waitForLine(std::regex("never printed"), kGenerous));
  EXPECT_LT(Clock::now() - start, kGenerous / 2) << "did not notice the closed pipe";
}

TEST(ChildProcessTest, WaitForLineTimesOutAtTheDeadline) {
  ChildProcess child("/bin/sh", {"-c", "echo quiet; sleep 30"});
  const auto start = Clock::now();
  EXPECT_FALSE(child.waitForLine(std::regex("never printed"), 200ms));
  EXPECT_GE(Clock::now() - start, 200ms);
}

TEST(ChildProcessTest, KeepsUpWithLargeOutput) {
  ChildProcess child("/bin/sh", {"-c", "seq 1 200000; sleep 30"});
  ASSERT_TRUE(child.waitForLine(std::regex("^200000$"), kGenerous)) << child.lineCount();
  EXPECT_EQ(child.lineCount(), 200000u);
}

TEST(ChildProcessTest, DestructorKillsAChildIgnoringSigtermAndItsGroup) {
  pid_t shellPid = 0;
  pid_t sleepPid = 0;
  const auto start = Clock::now();
  {
    ChildProcess child("/bin/sh", {"-c", "trap '' TERM; sleep 30 & echo sleeper $!; wait"}, {},
                       300ms);
    const auto match = child.waitForLine(std::regex(R"(^sleeper (\d+)$)"), kGenerous);
    ASSERT_TRUE(match) << child.output();
    shellPid = child.pid();
    sleepPid = std::stoi((*match)[1]);
  }
  EXPECT_GE(Clock::now() - start, 300ms) << "SIGKILL came before the grace period";
  EXPECT_TRUE(processGone(shellPid));
  EXPECT_TRUE(waitUntilGone(sleepPid, kGenerous)) << "the grandchild survived";
}

TEST(ChildProcessTest, GrandchildrenDieWhenTheChildExits) {
  ChildProcess child("/bin/sh", {"-c", "sleep 30 & echo sleeper $!"});
  const auto match = child.waitForLine(std::regex(R"(^sleeper (\d+)$)"), kGenerous);
  ASSERT_TRUE(match) << child.output();
  ASSERT_TRUE(child.waitExit(kGenerous));
  EXPECT_TRUE(waitUntilGone(std::stoi((*match)[1]), kGenerous));
}

TEST(ChildProcessTest, MissingExecutableThrowsWithTheErrno) {
  try {
    ChildProcess child("/nonexistent/crnp-binary", {});
    FAIL() << "started a missing executable";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT) << e.what();
  }
}

// A socket bound to 127.0.0.1:0, listening or not; closed at scope exit.
struct LoopbackSocket {
  explicit LoopbackSocket(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
    if (listening) {
      EXPECT_EQ(::listen(fd, 4), 0);
    }
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port = ntohs(address.sin_port);
  }
  ~LoopbackSocket() { ::close(fd); }
  int fd = -1;
  std::uint16_t port = 0;
};

TEST(WaitForTcpPortTest, TrueForAListeningPort) {
  LoopbackSocket listener(true);
  EXPECT_TRUE(waitForTcpPort("127.0.0.1", listener.port, kGenerous));
}

TEST(WaitForTcpPortTest, FalseAtTheDeadlineWhenNothingListens) {
  LoopbackSocket reserved(false);  // bound, not listening: connections are refused
  const auto start = Clock::now();
  EXPECT_FALSE(waitForTcpPort("127.0.0.1", reserved.port, 300ms));
  EXPECT_GE(Clock::now() - start, 300ms);
  EXPECT_LT(Clock::now() - start, kGenerous);
}

TEST(WaitForTcpPortTest, GivesUpWhenTheProcessExits) {
  LoopbackSocket reserved(false);
  ChildProcess child("/bin/sh", {"-c", "exit 3"});
  const auto start = Clock::now();
  EXPECT_FALSE(waitForTcpPort("127.0.0.1", reserved.port, kGenerous, &child));
  EXPECT_LT(Clock::now() - start, kGenerous / 2);
}

TEST(WaitForTcpPortTest, SeesAPortThatStartsListeningWhileWaiting) {
  LoopbackSocket socket(false);
  auto waiting = std::async(std::launch::async, [port = socket.port] {
    return waitForTcpPort("127.0.0.1", port, kGenerous);
  });
  // Whether the first tries are refused or not, the wait must end with a connection.
  ASSERT_EQ(::listen(socket.fd, 4), 0);
  EXPECT_TRUE(waiting.get());
}

}  // namespace
}  // namespace crnp::testing
