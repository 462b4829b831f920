#pragma once
// OutputCapture: reads a child's stdout+stderr pipe on a background thread into a bounded line
// buffer, and lets a test wait (condition variable, no sleeps) for a line matching a regex.
// Used by ChildProcess (child_process.hpp); header-only so every test suite can use it.

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace crnp::testing {

/// A line that matched: groups[0] is the whole match, groups[i] the i-th sub-match ("" when
/// that group did not participate). `line` is the absolute line index (0 = first line ever).
struct LineMatch {
  std::vector<std::string> groups;
  std::size_t line = 0;
  const std::string& operator[](std::size_t i) const { return groups.at(i); }
};

class OutputCapture {
 public:
  using Clock = std::chrono::steady_clock;
  /// Keeps at most this many bytes of output; older lines are dropped first (a chatty child
  /// must not exhaust the test's memory). Line indexes stay absolute.
  static constexpr std::size_t kMaxBufferedBytes = 16 * 1024 * 1024;

  /// Takes ownership of `readFd` (the read end of the child's output pipe).
  explicit OutputCapture(int readFd) : fd_(readFd), wakeFd_(::eventfd(0, EFD_CLOEXEC)) {
    if (wakeFd_ < 0) {
      const int err = errno;
      ::close(fd_);
      throw std::system_error(err, std::generic_category(), "eventfd");
    }
    reader_ = std::thread([this] { readLoop(); });
  }
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
  ~OutputCapture() {
    stop();
    ::close(fd_);
    ::close(wakeFd_);
  }

  /// Stops reading even if some process still holds the pipe's write end open; idempotent.
  void stop() {
    if (!reader_.joinable()) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
    reader_.join();
  }

  /// Waits until a complete line with index >= fromLine matches `pattern` (std::regex_search),
  /// and returns its groups. Returns nullopt at the deadline, or as soon as the pipe is closed
  /// (the child and everything it started are gone) without a match.
  std::optional<LineMatch> waitForLine(const std::regex& pattern, Clock::time_point deadline,
                                       std::size_t fromLine = 0) {
    std::unique_lock lock(mutex_);
    std::size_t next = fromLine;
    for (;;) {
      for (next = std::max(next, dropped_); next < dropped_ + lines_.size(); ++next) {
        std::smatch m;
        const std::string& text = lines_[next - dropped_];
        if (std::regex_search(text, m, pattern)) {
          LineMatch match{{}, next};
          for (const auto& sub : m) match.groups.push_back(sub.str());
          return match;
        }
      }
      if (closed_) return std::nullopt;
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout &&
          dropped_ + lines_.size() == next && !closed_) {
        return std::nullopt;
      }
    }
  }
  std::optional<LineMatch> waitForLine(const std::regex& pattern, Clock::duration timeout,
                                       std::size_t fromLine = 0) {
    return waitForLine(pattern, Clock::now() + timeout, fromLine);
  }

  /// Index the next line will get; pass it as `fromLine` to wait only for newer lines.
  std::size_t lineCount() const {
    std::lock_guard lock(mutex_);
    return dropped_ + lines_.size();
  }

  /// Everything still buffered, one '\n' per line (for failure messages).
  std::string text() const {
    std::lock_guard lock(mutex_);
    std::string out;
    if (dropped_ > 0) out += "[" + std::to_string(dropped_) + " earlier lines dropped]\n";
    for (const auto& line : lines_) out += line + '\n';
    return out;
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  void readLoop() {
    std::string partial;
    char chunk[4096];
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents != 0) break;
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EOF: every writer is gone
      partial.append(chunk, static_cast<std::size_t>(n));
      std::vector<std::string> complete;
      std::size_t start = 0;
      for (std::size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
        complete.push_back(partial.substr(start, nl - start));
      }
      partial.erase(0, start);
      if (!complete.empty()) append(std::move(complete), false);
    }
    std::vector<std::string> last;
    if (!partial.empty()) last.push_back(std::move(partial));
    append(std::move(last), true);
  }

  void append(std::vector<std::string> lines, bool closed) {
    {
      std::lock_guard lock(mutex_);
      for (auto& line : lines) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        bytes_ += line.size() + 1;
        lines_.push_back(std::move(line));
      }
      while (bytes_ > kMaxBufferedBytes && !lines_.empty()) {
        bytes_ -= lines_.front().size() + 1;
        lines_.pop_front();
        ++dropped_;
      }
      closed_ = closed_ || closed;
    }
    changed_.notify_all();
  }

  const int fd_;
  const int wakeFd_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> lines_;  // guarded by mutex_
  std::size_t dropped_ = 0;        // guarded by mutex_
  std::size_t bytes_ = 0;          // guarded by mutex_
  bool closed_ = false;            // guarded by mutex_
  std::thread reader_;             // last: starts after the members it uses exist
};

}  // namespace crnp::testing
