#include "crnp/structured_log.hpp"

#include <cstdio>

namespace crnp::slog {
namespace {

thread_local const Record* tCurrent = nullptr;

bool needsQuotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void appendQuoted(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

void appendValue(std::string& out, const Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (needsQuotes(v)) {
            appendQuoted(out, v);
          } else {
            out += v;
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else {
          out += fmt::format("{}", v);
        }
      },
      value.get());
}

/// Makes `record` current for the duration of one logging call, also when it throws.
class CurrentRecord {
 public:
  explicit CurrentRecord(const Record& record) : previous_(tCurrent) { tCurrent = &record; }
  ~CurrentRecord() { tCurrent = previous_; }
  CurrentRecord(const CurrentRecord&) = delete;
  CurrentRecord& operator=(const CurrentRecord&) = delete;

 private:
  const Record* previous_;
};

}  // namespace

const Record* currentRecord() { return tCurrent; }

std::string toText(const Record& record) {
  std::string out;
  out.reserve(record.component.size() + record.message.size() + 16 * record.fields.size() + 2);
  out += record.component;
  out += ": ";
  out += record.message;
  for (const auto& field : record.fields) {
    out += ' ';
    out += field.key;
    out += '=';
    appendValue(out, field.value);
  }
  return out;
}

bool enabled(spdlog::level::level_enum level) {
  return spdlog::default_logger_raw()->should_log(level);
}

void write(spdlog::level::level_enum level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const Record record{component, message, std::span<const Field>(fields.begin(), fields.size())};
  const std::string text = toText(record);
  const CurrentRecord current(record);
  logger->log(level, "{}", text);
}

}  // namespace crnp::slog
