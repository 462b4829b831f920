#include "option_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "crnp/duration.hpp"
#include "crnp/registration_client.hpp"

namespace gateway {
namespace {

ParseError refused(std::string_view text, const std::string& why) {
  return {"'" + std::string(text) + "'" + why};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Parsed<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 10);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return refused(text, " is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    return refused(text, " is not in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

Parsed<double> parsePositiveNumber(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return refused(text, " is not a number");
  }
  if (value <= 0) return refused(text, " is not greater than 0");
  return value;
}

Parsed<std::chrono::milliseconds> parseDurationValue(std::string_view text) {
  if (auto parsed = crnp::parseDuration(text)) return *parsed;
  return refused(text, " is not a duration (e.g. 250ms, 2s, 5m)");
}

Parsed<bool> parseSwitch(std::string_view text) {
  const std::string word = lower(text);
  if (word == "true" || word == "yes" || word == "on" || word == "1") return true;
  if (word == "false" || word == "no" || word == "off" || word == "0") return false;
  return refused(text, " is not true or false");
}

Parsed<std::string> parseChoice(std::string_view text, std::span<const std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return std::string(text);
  std::string list;
  for (const auto choice : allowed) list += (list.empty() ? "" : ", ") + std::string(choice);
  return refused(text, " is not one of: " + list);
}

Parsed<std::string> parseServerAddress(std::string_view text) {
  if (crnp::ServerAddress::parse(text)) return std::string(text);
  return refused(text, " is not host:port");
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    auto item = text.substr(start, comma - start);
    const auto first = item.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
      items.emplace_back(item);
    }
    start = comma + 1;
  }
  return items;
}

}  // namespace gateway
