#include "logging_setup.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "crnp/structured_log.hpp"
#include "json_log_formatter.hpp"

namespace gateway {
namespace {

constexpr std::string_view kComponent = "app";

void writeLine(std::FILE* stream, const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fflush(stream);
}

}  // namespace

LogFormat logFormatFromString(std::string_view text) {
  return text == "json" ? LogFormat::Json : LogFormat::Text;
}

void configureLogging(std::string_view level, LogFormat format) {
  if (format == LogFormat::Json) {
    auto logger =
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
    spdlog::set_default_logger(std::move(logger));
  }
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

void announceListener(LogFormat format, std::string_view what, std::string_view where) {
  const std::string message =
      "crnp-gateway: " + std::string(what) + " listening on " + std::string(where);
  if (format == LogFormat::Json) {
    const crnp::slog::Field fields[] = {{"listener", what}, {"address", where}};
    writeLine(stdout, jsonLogLine(std::chrono::system_clock::now(), spdlog::level::info,
                                  {kComponent, message, fields}));
  } else {
    writeLine(stdout, message + "\n");
  }
}

void reportFatal(LogFormat format, std::string_view message) {
  if (format == LogFormat::Json) {
    writeLine(stderr, jsonLogLine(std::chrono::system_clock::now(), spdlog::level::critical,
                                  {kComponent, message, {}}));
  } else {
    writeLine(stderr, "crnp-gateway: " + std::string(message) + "\n");
  }
}

}  // namespace gateway
