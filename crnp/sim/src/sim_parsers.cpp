// Small value parsers of the crnp-sim command line: durations and ip:port endpoints.
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cmath>
#include <string>

#include "crnp/sim/sim_options.hpp"

namespace crnp::sim {
namespace {

// A week: far beyond any sensible timeout, far below overflow of milliseconds.
constexpr double kMaxDurationMs = 7.0 * 24 * 3600 * 1000;

struct Unit {
  std::string_view suffix;
  double milliseconds;
};
// Longest suffix first so that "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {{"ms", 1.0}, {"s", 1000.0}, {"m", 60'000.0}, {"h", 3'600'000.0}};

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  double scale = 1000.0;  // plain numbers are seconds
  for (const auto& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      text.remove_suffix(unit.suffix.size());
      scale = unit.milliseconds;
      break;
    }
  }
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text.front())))) {
    return std::nullopt;  // also rejects signs, spaces and "inf"/"nan"
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value,
                                         std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  const double ms = value * scale;
  if (!std::isfinite(ms) || ms > kMaxDurationMs) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

std::optional<boost::asio::ip::tcp::endpoint> parseEndpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view portText = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // IPv6 needs brackets: "[::1]:9444"
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() ||
      port > 65535) {
    return std::nullopt;
  }
  boost::system::error_code addressError;
  const auto address = boost::asio::ip::make_address(std::string(host), addressError);
  if (addressError) return std::nullopt;
  return boost::asio::ip::tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

std::string toString(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace crnp::sim
