#pragma once
// spawnProcess: fork+exec with the child's stdout+stderr on one pipe, for ChildProcess
// (child_process.hpp). Header-only test support.
//
// The child gets its own process group (so a group kill also ends what it started, such as a
// shell's `sleep`) and PR_SET_PDEATHSIG(SIGKILL): if the test process dies without running
// destructors, the child dies too. Linux ties that signal to the *thread* that forked, so
// spawn from a thread that outlives the child (the test's own thread does).

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace crnp::testing {

using Environment = std::map<std::string, std::string>;

/// A started child: its PID (= its process group ID) and the read end of its output pipe.
struct SpawnedProcess {
  pid_t pid = -1;
  int outputFd = -1;
};

namespace detail {

inline std::vector<std::string> mergedEnvironment(const Environment& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    if (!extra.contains(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

inline std::vector<char*> pointersTo(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

[[noreturn]] inline void reportErrnoAndExit(int statusFd) {
  const int err = errno;
  [[maybe_unused]] auto n = ::write(statusFd, &err, sizeof err);
  ::_exit(127);
}

// Runs in the forked child of a multi-threaded process: async-signal-safe calls only.
[[noreturn]] inline void execChild(char** argv, char** envp, int outFd, int statusFd,
                                   pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the test died before prctl took effect
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the forking thread may block signals
  const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devNull < 0 || ::dup2(devNull, STDIN_FILENO) < 0 || ::dup2(outFd, STDOUT_FILENO) < 0 ||
      ::dup2(outFd, STDERR_FILENO) < 0) {
    reportErrnoAndExit(statusFd);
  }
  // Descriptors the test opened without O_CLOEXEC (listening sockets...) must not leak into
  // the child; best effort, needs Linux 5.11.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(argv[0], argv, envp);
  reportErrnoAndExit(statusFd);
}

}  // namespace detail

/// Starts `executable` (a path; no PATH search) with `args` (argv[1..]) and the test's
/// environment plus `extraEnv` (overriding variables of the same name). Throws
/// std::system_error when it cannot start (e.g. ENOENT from exec; that child is reaped).
inline SpawnedProcess spawnProcess(const std::string& executable,
                                   const std::vector<std::string>& args,
                                   const Environment& extraEnv) {
  std::vector<std::string> argStrings{executable};
  argStrings.insert(argStrings.end(), args.begin(), args.end());
  const std::vector<std::string> envStrings = detail::mergedEnvironment(extraEnv);
  std::vector<char*> argv = detail::pointersTo(argStrings);
  std::vector<char*> envp = detail::pointersTo(envStrings);

  int out[2];     // child's stdout+stderr -> parent
  int status[2];  // exec failure errno -> parent; closed by a successful exec (O_CLOEXEC)
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  if (::pipe2(status, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(out[0]);
    ::close(out[1]);
    throw std::system_error(err, std::generic_category(), "pipe2");
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) detail::execChild(argv.data(), envp.data(), out[1], status[1], parent);
  const int forkErrno = errno;
  if (pid > 0) ::setpgid(pid, pid);  // here too, so that group kills work from the start
  ::close(out[1]);
  ::close(status[1]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(status[0]);
    throw std::system_error(forkErrno, std::generic_category(), "fork");
  }
  int execErrno = 0;
  ssize_t n;
  while ((n = ::read(status[0], &execErrno, sizeof execErrno)) < 0 && errno == EINTR) {
  }
  ::close(status[0]);
  if (n > 0) {  // the child reported why exec failed and has exited
    ::close(out[0]);
    int ignored = 0;
    while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    throw std::system_error(execErrno, std::generic_category(), "exec " + executable);
  }
  return {pid, out[0]};
}

}  // namespace crnp::testing
