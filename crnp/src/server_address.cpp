// ServerAddress ("host:port") and the names of registration outcomes.
#include <boost/asio/ip/address_v6.hpp>
#include <charconv>

#include "crnp/registration_client.hpp"

namespace crnp {
namespace {

std::optional<std::uint16_t> parsePort(std::string_view text) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, err] = std::from_chars(text.data(), end, value);
  if (text.empty() || err != std::errc() || ptr != end || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

bool isIpv6Literal(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(text), ec);
  return !ec;
}

bool isValidHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7F || c == '/' || c == '[' || c == ']') return false;
  }
  return true;
}

}  // namespace

std::string ServerAddress::toString() const {
  const std::string portText = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + portText;
  return host + ":" + portText;
}

std::optional<ServerAddress> ServerAddress::parse(std::string_view text) {
  ServerAddress result;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view host = text.substr(1, close - 1);
    if (!isIpv6Literal(host)) return std::nullopt;
    result.host = std::string(host);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return result;
    if (rest.front() != ':') return std::nullopt;
    auto port = parsePort(rest.substr(1));
    if (!port) return std::nullopt;
    result.port = *port;
    return result;
  }
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    // Several colons and no brackets: only a bare IPv6 literal, on the default port.
    if (!isIpv6Literal(text)) return std::nullopt;
    result.host = std::string(text);
    return result;
  }
  const std::string_view host = text.substr(0, colon);
  if (!isValidHost(host)) return std::nullopt;
  result.host = std::string(host);
  if (colon != std::string_view::npos) {
    auto port = parsePort(text.substr(colon + 1));
    if (!port) return std::nullopt;
    result.port = *port;
  }
  return result;
}

std::string_view toString(RegistrationOutcome outcome) {
  switch (outcome) {
    case RegistrationOutcome::Replied:
      return "Replied";
    case RegistrationOutcome::ResolveFailed:
      return "ResolveFailed";
    case RegistrationOutcome::ConnectionRefused:
      return "ConnectionRefused";
    case RegistrationOutcome::ConnectTimeout:
      return "ConnectTimeout";
    case RegistrationOutcome::ReplyTimeout:
      return "ReplyTimeout";
    case RegistrationOutcome::ConnectionReset:
      return "ConnectionReset";
    case RegistrationOutcome::MalformedReply:
      return "MalformedReply";
    case RegistrationOutcome::NetworkError:
      return "NetworkError";
  }
  return "Unknown";
}

}  // namespace crnp
