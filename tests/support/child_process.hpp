#pragma once
// ChildProcess: runs an executable (crnp-gateway, crnp-sim, a shell) as a child of the test,
// captures its stdout+stderr, and always stops it: the destructor sends SIGTERM, then SIGKILL to
// its process group after a grace period, and reaps it. Header-only; for integration tests.
//
//   ChildProcess sim(CRNP_BIN_DIR "/crnp-sim", {"--control-listen", "127.0.0.1:0"});
//   auto port = sim.waitForLine(std::regex(R"(control listening on [\d.]+:(\d+))"), 10s);
//   ASSERT_TRUE(port) << sim.output();
//   sim.sendSignal(SIGTERM);
//   auto status = sim.waitExit(10s);  // status->code == 0 after a clean shutdown
//
// See process_spawn.hpp for the child's process group and parent-death signal.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "output_capture.hpp"
#include "process_spawn.hpp"

namespace crnp::testing {

/// How a child ended: exited with `code`, or was killed by `signal` (then code is -1).
struct ExitStatus {
  int code = -1;
  int signal = 0;
  bool exitedWith(int expected) const { return signal == 0 && code == expected; }
  std::string describe() const {
    return signal != 0 ? "killed by signal " + std::to_string(signal)
                       : "exited with code " + std::to_string(code);
  }
};

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;
  using Environment = crnp::testing::Environment;

  /// Starts `executable` (a path; no PATH search) with `args` and the test's environment plus
  /// `extraEnv`; see spawnProcess. Throws std::system_error when it cannot start.
  ChildProcess(const std::string& executable, const std::vector<std::string>& args,
               const Environment& extraEnv = {},
               Clock::duration killGrace = std::chrono::seconds(5))
      : killGrace_(killGrace) {
    const SpawnedProcess spawned = spawnProcess(executable, args, extraEnv);
    pid_ = spawned.pid;
    try {
      capture_ = std::make_unique<OutputCapture>(spawned.outputFd);
      reaper_ = std::thread([this] { reapLoop(); });
    } catch (...) {
      ::kill(-pid_, SIGKILL);
      int ignored = 0;
      ::waitpid(pid_, &ignored, 0);
      throw;
    }
  }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  ~ChildProcess() {
    if (!waitExit(Clock::now()) && sendSignal(SIGTERM) && !waitExit(killGrace_)) {
      signalGroup(SIGKILL);
    }
    reaper_.join();
    capture_->stop();
  }

  pid_t pid() const { return pid_; }

  /// See OutputCapture::waitForLine: the first matching line at or after `fromLine`, or
  /// nullopt at the deadline or once the child and its group have closed their output.
  std::optional<LineMatch> waitForLine(const std::regex& pattern, Clock::duration timeout,
                                       std::size_t fromLine = 0) {
    return capture_->waitForLine(pattern, Clock::now() + timeout, fromLine);
  }
  std::size_t lineCount() const { return capture_->lineCount(); }

  /// Captured stdout+stderr so far, for failure messages.
  std::string output() const { return capture_->text(); }

  /// Sends `signal` to the child only (not its group). False once the child has exited.
  bool sendSignal(int signal) {
    std::lock_guard lock(mutex_);
    return !exit_ && ::kill(pid_, signal) == 0;
  }

  /// Waits for the child to exit; nullopt at the deadline.
  std::optional<ExitStatus> waitExit(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    exited_.wait_until(lock, deadline, [this] { return exit_.has_value(); });
    return exit_;
  }
  std::optional<ExitStatus> waitExit(Clock::duration timeout) {
    return waitExit(Clock::now() + timeout);
  }

 private:
  // Waits without reaping first (WNOWAIT), so that until exit_ is set under mutex_ the PID and
  // process group cannot be reused: kill() from sendSignal/signalGroup never hits a stranger.
  void reapLoop() {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    {
      std::lock_guard lock(mutex_);
      ::kill(-pid_, SIGKILL);  // whatever the child left running in its group
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      ExitStatus result;
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
      exit_ = result;
    }
    exited_.notify_all();
  }

  void signalGroup(int signal) {
    std::lock_guard lock(mutex_);
    if (!exit_) ::kill(-pid_, signal);
  }

  const Clock::duration killGrace_;
  pid_t pid_ = -1;
  std::unique_ptr<OutputCapture> capture_;
  std::mutex mutex_;
  std::condition_variable exited_;
  std::optional<ExitStatus> exit_;  // guarded by mutex_; set once the child is reaped
  std::thread reaper_;
};

}  // namespace crnp::testing
