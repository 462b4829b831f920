#pragma once
// Listen addresses as written on command lines: an IP literal and a port, "a.b.c.d:port" or
// "[v6]:port" (port 0: any free port). Host names are not accepted: a listener binds one
// address, and resolving at start would hide a typo behind whatever the name resolves to.
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace crnp {

/// nullopt if `text` is not "ip:port" with an IPv4 literal or a bracketed IPv6 literal.
std::optional<boost::asio::ip::tcp::endpoint> parseEndpoint(std::string_view text);

/// "ip:port", with brackets around IPv6 addresses; parseEndpoint reads it back.
std::string toString(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace crnp
