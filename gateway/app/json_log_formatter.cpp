#include "json_log_formatter.hpp"

#include <spdlog/details/log_msg.h>

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

namespace gateway {
namespace {

constexpr std::string_view kDefaultComponent = "app";
constexpr std::array<std::string_view, 4> kFixedKeys{"time", "level", "component", "msg"};

nlohmann::json toJson(const crnp::slog::Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return std::string(v);
        } else {
          return v;
        }
      },
      value.get());
}

}  // namespace

std::string rfc3339Millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto sinceEpoch = time.time_since_epoch();
  auto secs = duration_cast<seconds>(sinceEpoch);
  auto millis = duration_cast<milliseconds>(sinceEpoch - secs).count();
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    secs -= seconds(1);
  }
  const std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), text, static_cast<int>(millis));
  return out;
}

std::string_view levelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return "off";
}

std::string jsonLogLine(std::chrono::system_clock::time_point time, spdlog::level::level_enum level,
                        const crnp::slog::Record& record) {
  nlohmann::ordered_json line;
  line["time"] = rfc3339Millis(time);
  line["level"] = levelName(level);
  line["component"] = record.component.empty() ? kDefaultComponent : record.component;
  line["msg"] = record.message;
  for (const auto& field : record.fields) {
    std::string key(field.key);
    for (const auto fixed : kFixedKeys) {
      if (key == fixed) key += '_';
    }
    line[key] = toJson(field.value);
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string text;
  if (const auto* record = crnp::slog::currentRecord()) {
    text = jsonLogLine(msg.time, msg.level, *record);
  } else {
    const crnp::slog::Record plain{std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                                   std::string_view(msg.payload.data(), msg.payload.size()),
                                   {}};
    text = jsonLogLine(msg.time, msg.level, plain);
  }
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace gateway
