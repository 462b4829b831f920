#pragma once
// Value parsers shared by every source of an option (flag, environment, config file): one
// syntax per kind of value. Each returns the value, or an error message that quotes the bad
// text (the caller names the option and where the text came from).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gateway {

/// Why a value was refused, quoting it.
struct ParseError {
  std::string message;
};

/// A parsed value or the reason it was refused.
template <class T>
using Parsed = std::variant<T, ParseError>;

/// A decimal integer in [min, max] (no sign, no other base, no trailing text).
Parsed<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t min, std::uint64_t max);

/// A finite number > 0.
Parsed<double> parsePositiveNumber(std::string_view text);

/// "250ms", "2s", "5m", "1h" or a number of seconds (crnp::parseDuration).
Parsed<std::chrono::milliseconds> parseDurationValue(std::string_view text);

/// true/false, also yes/no, on/off and 1/0 (any case).
Parsed<bool> parseSwitch(std::string_view text);

/// One of `allowed`, exactly.
Parsed<std::string> parseChoice(std::string_view text, std::span<const std::string_view> allowed);

/// host:port as the CRNP client reads it (crnp::ServerAddress).
Parsed<std::string> parseServerAddress(std::string_view text);

/// "a, b,c" -> {"a", "b", "c"}: items trimmed, empty items dropped.
std::vector<std::string> splitList(std::string_view text);

}  // namespace gateway
