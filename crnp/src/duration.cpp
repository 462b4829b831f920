#include "crnp/duration.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace crnp {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double millis;
  };
  // Longest suffix first so "ms" is not read as "m" + "s".
  constexpr Unit kUnits[] = {{"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}};
  double scale = 1e3;  // a bare number is seconds
  for (const auto& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      text.remove_suffix(unit.suffix.size());
      scale = unit.millis;
      break;
    }
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  const double millis = std::round(value * scale);
  if (millis > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
}

std::string formatDuration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace crnp
