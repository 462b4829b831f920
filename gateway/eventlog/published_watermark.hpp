#pragma once
// PublishedWatermark: <data-dir>/events.published, the highest sequence number the hub has
// published, kept in a shared memory mapping of the file. The ingesting thread records it with
// one atomic memory store (no system call, no fsync) before the event can reach any client.
// A killed process (kill -9, OOM) leaves the page in the kernel's page cache, so the next start
// knows whether anything was published beyond the log's durable end: if not, every retained
// token still resumes after the crash. After a reboot (another boot id, e.g. power loss or a
// pod on another node) the value may be stale and is not trusted.
#include <cstdint>
#include <memory>
#include <string>

namespace gateway {

class PublishedWatermark {
 public:
  struct Reading {
    std::uint64_t sequence = 0;
    bool trusted = false;  ///< written during this boot by a previous run
  };

  /// Opens (creating) the file and maps it; `previous` gets what the last run left. nullptr
  /// and `error` when the file cannot be used.
  static std::unique_ptr<PublishedWatermark> open(const std::string& path, Reading& previous,
                                                  std::string& error);
  ~PublishedWatermark();
  PublishedWatermark(const PublishedWatermark&) = delete;
  PublishedWatermark& operator=(const PublishedWatermark&) = delete;

  /// One memory store; thread-safe; never blocks on I/O.
  void record(std::uint64_t sequence);

 private:
  PublishedWatermark(int fd, void* page);
  int fd_;
  void* page_;
};

}  // namespace gateway
