#pragma once
// Structured log lines: a component ("upstream", "callback", ...), a constant message and
// key/value fields, on top of spdlog's default logger.
//
//   crnp::slog::warn("upstream", "registration failed", {{"server", server}, {"attempt", n}});
//
// The line spdlog receives is readable text ("upstream: registration failed server=a:9444
// attempt=3"), so any formatter prints something sensible. While the logger formats it, the
// same record is available as data through currentRecord(): a structured formatter (the
// gateway's JSON lines) reads the component and the fields from there instead of the text.
// That works because spdlog's synchronous loggers format on the calling thread; an async
// logger would see no record and fall back to the text.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace crnp::slog {

/// One field's value: text, a signed or unsigned integer, a floating-point number or a bool.
/// Text is viewed, not copied: a temporary string lives until the logging call returns.
class Value {
 public:
  using Variant = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  Value(std::string_view text) : value_(text) {}  // NOLINT(google-explicit-constructor)
  Value(const char* text) : value_(std::string_view(text)) {}         // NOLINT
  Value(const std::string& text) : value_(std::string_view(text)) {}  // NOLINT
  Value(bool flag) : value_(flag) {}                                  // NOLINT
  Value(double number) : value_(number) {}                            // NOLINT
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Value(T number) {  // NOLINT
    if constexpr (std::is_signed_v<T>) {
      value_ = static_cast<std::int64_t>(number);
    } else {
      value_ = static_cast<std::uint64_t>(number);
    }
  }

  const Variant& get() const { return value_; }

 private:
  Variant value_;
};

struct Field {
  std::string_view key;
  Value value;
};

/// What a structured call logs; valid only while that call formats its line.
struct Record {
  std::string_view component;
  std::string_view message;
  std::span<const Field> fields;
};

/// The record being formatted on this thread, or nullptr for a line logged by plain spdlog.
const Record* currentRecord();

/// "component: message key=value key=\"text with spaces\"": the text form of a record. Text
/// values with a space, a quote, '=', a control character or nothing at all are quoted and
/// escaped, so one record stays one line.
std::string toText(const Record& record);

/// Whether a record of `level` would be logged: for fields that cost to compute.
bool enabled(spdlog::level::level_enum level);

/// Logs one record on spdlog's default logger (nothing is built when the level is off).
void write(spdlog::level::level_enum level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void debug(std::string_view component, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  write(spdlog::level::debug, component, message, fields);
}
inline void info(std::string_view component, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  write(spdlog::level::info, component, message, fields);
}
inline void warn(std::string_view component, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  write(spdlog::level::warn, component, message, fields);
}
inline void error(std::string_view component, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  write(spdlog::level::err, component, message, fields);
}

}  // namespace crnp::slog
