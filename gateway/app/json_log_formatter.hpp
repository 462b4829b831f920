#pragma once
// JSON lines for spdlog (--log-format json): one object per line with `time` (RFC 3339, UTC,
// milliseconds), `level`, `component`, `msg`, then the record's fields
// (crnp/structured_log.hpp). A line logged by plain spdlog gets its logger's name as the
// component ("app" for the unnamed default logger) and no fields. Escaping is nlohmann-json's;
// bytes that are not UTF-8 become U+FFFD, so peer data cannot break a line.
#include <spdlog/formatter.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "crnp/structured_log.hpp"

namespace gateway {

/// "2024-05-01T12:34:56.789Z"
std::string rfc3339Millis(std::chrono::system_clock::time_point time);

/// "trace", "debug", "info", "warn", "error", "critical".
std::string_view levelName(spdlog::level::level_enum level);

/// One JSON line (with the trailing newline) for `record` at `time`. A field named like one of
/// the fixed keys (time, level, component, msg) is written with a trailing '_'.
std::string jsonLogLine(std::chrono::system_clock::time_point time, spdlog::level::level_enum level,
                        const crnp::slog::Record& record);

class JsonLogFormatter final : public spdlog::formatter {
 public:
  // spdlog::formatter
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace gateway
