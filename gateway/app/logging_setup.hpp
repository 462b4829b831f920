#pragma once
// The process's logging, from --log-level and --log-format: spdlog's default logger writes
// text lines (spdlog's usual pattern) or JSON lines (JsonLogFormatter) to stdout.
#include <string>
#include <string_view>

namespace gateway {

enum class LogFormat { Text, Json };

/// "text" or "json" (the option table has checked the value).
LogFormat logFormatFromString(std::string_view text);

/// Replaces spdlog's default logger: level and format; every line is flushed.
void configureLogging(std::string_view level, LogFormat format);

/// "crnp-gateway: <what> listening on <where>" on stdout whatever the log level (tests and
/// scripts read these lines to learn the ports chosen for port 0); a JSON line with the
/// fields `listener` and `address` when the format is JSON.
void announceListener(LogFormat format, std::string_view what, std::string_view where);

/// A start-up failure on stderr: "crnp-gateway: <message>", or a JSON line.
void reportFatal(LogFormat format, std::string_view message);

}  // namespace gateway
