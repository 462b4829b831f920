#include "callback_sources.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gateway {

std::optional<crnp::AddressFilter> resolveCallbackSources(
    const std::vector<crnp::ServerAddress>& servers, std::string* warnings) {
  namespace asio = boost::asio;
  asio::io_context context;
  asio::ip::tcp::resolver resolver(context);
  std::vector<asio::ip::address> addresses;
  std::string problems;
  for (const auto& server : servers) {
    boost::system::error_code ec;
    const auto results = resolver.resolve(server.host, "", ec);
    if (ec) {
      if (!problems.empty()) problems += "; ";
      problems += "resolving " + server.host + ": " + ec.message();
      continue;
    }
    for (const auto& entry : results) {
      const auto address = crnp::normalize(entry.endpoint().address());
      if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
        addresses.push_back(address);
      }
    }
  }
  if (addresses.empty() && problems.empty()) problems = "no CRNP server configured";
  if (warnings) *warnings = problems;
  if (addresses.empty()) return std::nullopt;

  std::string spec;
  for (const auto& address : addresses) {
    if (!spec.empty()) spec += ',';
    spec += address.to_string();
  }
  std::string error;
  auto filter = crnp::AddressFilter::parse(spec, &error);
  if (!filter && warnings) *warnings = error;
  return filter;
}

}  // namespace gateway
