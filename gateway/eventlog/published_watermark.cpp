#include "published_watermark.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace gateway {
namespace {

constexpr std::size_t kPageBytes = 4096;
constexpr char kMagic[8] = {'C', 'R', 'N', 'P', 'W', 'M', '1', '\0'};

// The file's layout (one page).
struct Page {
  char magic[8];
  char bootId[40];       // /proc/sys/kernel/random/boot_id of the run that wrote it
  std::uint64_t unused;  // keeps `sequence` 8-byte aligned at offset 56
  std::uint64_t sequence;
};
static_assert(sizeof(Page) <= kPageBytes);
static_assert(offsetof(Page, sequence) % alignof(std::uint64_t) == 0);

std::string currentBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.substr(0, sizeof(Page::bootId) - 1);
}

std::string systemError(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::unique_ptr<PublishedWatermark> PublishedWatermark::open(const std::string& path,
                                                             Reading& previous,
                                                             std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = systemError("cannot open", path);
    return nullptr;
  }
  if (::ftruncate(fd, kPageBytes) != 0) {  // a new file is zeros: no magic, not trusted
    error = systemError("cannot size", path);
    ::close(fd);
    return nullptr;
  }
  void* mapped = ::mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) {
    error = systemError("cannot map", path);
    ::close(fd);
    return nullptr;
  }
  auto* page = static_cast<Page*>(mapped);
  const std::string bootId = currentBootId();
  previous.sequence = std::atomic_ref<std::uint64_t>(page->sequence).load();
  previous.trusted = std::memcmp(page->magic, kMagic, sizeof(kMagic)) == 0 && !bootId.empty() &&
                     std::strncmp(page->bootId, bootId.c_str(), sizeof(page->bootId)) == 0;
  std::memset(page->bootId, 0, sizeof(page->bootId));
  std::memcpy(page->bootId, bootId.data(), bootId.size());
  std::memcpy(page->magic, kMagic, sizeof(kMagic));
  return std::unique_ptr<PublishedWatermark>(new PublishedWatermark(fd, mapped));
}

PublishedWatermark::PublishedWatermark(int fd, void* page) : fd_(fd), page_(page) {}

PublishedWatermark::~PublishedWatermark() {
  ::munmap(page_, kPageBytes);
  ::close(fd_);
}

void PublishedWatermark::record(std::uint64_t sequence) {
  std::atomic_ref<std::uint64_t>(static_cast<Page*>(page_)->sequence)
      .store(sequence, std::memory_order_release);
}

}  // namespace gateway
