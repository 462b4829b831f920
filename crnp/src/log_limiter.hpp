#pragma once
// Keeps hostile traffic from flooding the log: at most `perWindow` warnings per window; the
// rest go to debug, and the number held back is reported once the next window opens.
// Lines are structured (crnp/structured_log.hpp): a component, a message and fields.
// Not thread-safe: use it from one strand.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "crnp/structured_log.hpp"

namespace crnp::detail {

class LogLimiter {
 public:
  explicit LogLimiter(std::size_t perWindow = 10,
                      std::chrono::steady_clock::duration window = std::chrono::seconds(1))
      : perWindow_(perWindow), window_(window) {}

  void warn(std::string_view component, std::string_view message,
            std::initializer_list<slog::Field> fields = {}) {
    slog::write(nextLevel(component), component, message, fields);
  }

 private:
  spdlog::level::level_enum nextLevel(std::string_view component) {
    const auto now = std::chrono::steady_clock::now();
    if (now - windowStart_ >= window_) {
      if (suppressed_ > 0) {
        slog::warn(component, "similar warnings logged at debug level only",
                   {{"suppressed", suppressed_}});
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
