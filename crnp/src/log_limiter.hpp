#pragma once
// Keeps hostile traffic from flooding the log: at most `perWindow` warnings per window; the
// rest go to debug, and the number held back is reported once the next window opens.
// Not thread-safe: use it from one strand.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <utility>

namespace crnp::detail {

class LogLimiter {
 public:
  explicit LogLimiter(std::size_t perWindow = 10,
                      std::chrono::steady_clock::duration window = std::chrono::seconds(1))
      : perWindow_(perWindow), window_(window) {}

  template <class... Args>
  void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
    spdlog::log(nextLevel(), format, std::forward<Args>(args)...);
  }

 private:
  spdlog::level::level_enum nextLevel() {
    const auto now = std::chrono::steady_clock::now();
    if (now - windowStart_ >= window_) {
      if (suppressed_ > 0) {
        spdlog::warn("{} similar warnings logged at debug level only", suppressed_);
      }
      windowStart_ = now;
      inWindow_ = 0;
      suppressed_ = 0;
    }
    if (inWindow_ < perWindow_) {
      ++inWindow_;
      return spdlog::level::warn;
    }
    ++suppressed_;
    return spdlog::level::debug;
  }

  std::size_t perWindow_;
  std::chrono::steady_clock::duration window_;
  std::chrono::steady_clock::time_point windowStart_{};
  std::size_t inWindow_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace crnp::detail
