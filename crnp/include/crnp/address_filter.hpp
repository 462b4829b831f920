#pragma once
// A set of IP address ranges: `address/masklen` (IPv4 or IPv6), a bare address (a host), or
// the keywords LOCAL (every subnet directly connected to this host, read from the interfaces
// when parsed, loopback included) and ALL. Used for Allow_hosts / Deny_hosts on the server
// and for the callback source allowlist on the client. IPv4-mapped IPv6 addresses are
// compared as IPv4.
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crnp {

class AddressFilter {
 public:
  struct Range {
    boost::asio::ip::address network;
    unsigned prefixLength = 0;
  };

  /// Entries separated by commas and/or whitespace. An empty spec is an empty filter.
  /// On a bad entry returns nullopt and puts a message naming it in `*error`.
  static std::optional<AddressFilter> parse(std::string_view spec, std::string* error = nullptr);
  /// Filters that match everything / exactly one address.
  static AddressFilter all();
  static AddressFilter single(const boost::asio::ip::address& address);

  bool matches(const boost::asio::ip::address& address) const;
  bool empty() const { return ranges_.empty() && !all_; }
  /// The spec as parsed, for logs and error messages.
  const std::string& spec() const { return spec_; }

 private:
  std::vector<Range> ranges_;
  bool all_ = false;
  std::string spec_;
};

/// Returns `address` with IPv4-mapped IPv6 turned into IPv4.
boost::asio::ip::address normalize(const boost::asio::ip::address& address);

}  // namespace crnp
