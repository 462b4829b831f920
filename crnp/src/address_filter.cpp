#include "crnp/address_filter.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

namespace crnp {
namespace asio = boost::asio;
using asio::ip::address;
using asio::ip::address_v4;
using asio::ip::address_v6;

namespace {

bool isSeparator(char c) { return c == ',' || std::isspace(static_cast<unsigned char>(c)) != 0; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

unsigned maxPrefix(const address& a) { return a.is_v4() ? 32 : 128; }

/// Keeps the first `prefix` bits of `bytes` and zeroes the rest.
template <std::size_t N>
void maskBytes(std::array<unsigned char, N>& bytes, unsigned prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    const unsigned bitsBefore = static_cast<unsigned>(i) * 8;
    if (prefix >= bitsBefore + 8) continue;
    const unsigned keep = prefix > bitsBefore ? prefix - bitsBefore : 0;
    bytes[i] &= static_cast<unsigned char>(0xFF00u >> keep);
  }
}

/// The network address of `a/prefix` (host bits cleared; IPv6 scope dropped).
address maskAddress(const address& a, unsigned prefix) {
  if (a.is_v4()) {
    auto bytes = a.to_v4().to_bytes();
    maskBytes(bytes, prefix);
    return address_v4(bytes);
  }
  auto bytes = a.to_v6().to_bytes();
  maskBytes(bytes, prefix);
  return address_v6(bytes);
}

/// A range in canonical form: IPv4-mapped IPv6 networks of /96 or longer become IPv4 ones,
/// so that they match the normalized addresses matches() compares.
AddressFilter::Range makeRange(const address& a, unsigned prefix) {
  if (a.is_v6() && a.to_v6().is_v4_mapped() && prefix >= 96) {
    return {maskAddress(normalize(a), prefix - 96), prefix - 96};
  }
  return {maskAddress(a, prefix), prefix};
}

/// Leading one bits of a netmask (a non-contiguous mask counts up to its first zero).
unsigned prefixFromNetmask(const sockaddr* mask) {
  unsigned bits = 0;
  auto count = [&bits](const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const int ones = std::countl_one(p[i]);
      bits += static_cast<unsigned>(ones);
      if (ones < 8) return;
    }
  };
  if (mask->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(mask);
    count(reinterpret_cast<const unsigned char*>(&in->sin_addr), 4);
  } else {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(mask);
    count(reinterpret_cast<const unsigned char*>(&in6->sin6_addr), 16);
  }
  return bits;
}

std::optional<address> toAddress(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    address_v4::bytes_type bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return address_v4(bytes);
  }
  if (sa->sa_family == AF_INET6) {
    address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    return address_v6(bytes);
  }
  return std::nullopt;
}

/// Every directly connected subnet, read from the interfaces now. Loopback is always
/// included, even where `lo` is down or hidden, because LOCAL promises it.
std::optional<std::vector<AddressFilter::Range>> localRanges(std::string* error) {
  std::vector<AddressFilter::Range> ranges{
      {address_v4(address_v4::bytes_type{127, 0, 0, 0}), 8},
      {address_v6::loopback(), 128},
  };
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    if (error) *error = std::string("LOCAL: cannot read interfaces: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, ::freeifaddrs);
  for (const ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    auto a = toAddress(it->ifa_addr);
    if (!a || it->ifa_netmask == nullptr) continue;
    if (it->ifa_netmask->sa_family != it->ifa_addr->sa_family) continue;
    ranges.push_back(makeRange(*a, prefixFromNetmask(it->ifa_netmask)));
  }
  return ranges;
}

/// One `address[/len]` entry, or nullopt with a message naming it.
std::optional<AddressFilter::Range> parseRangeEntry(std::string_view entry, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<AddressFilter::Range> {
    if (error) *error = "bad address entry \"" + std::string(entry) + "\": " + std::string(why);
    return std::nullopt;
  };
  const auto slash = entry.find('/');
  const std::string addressText(entry.substr(0, slash));
  boost::system::error_code ec;
  const address a = asio::ip::make_address(addressText, ec);
  if (ec) return fail("not an IPv4 or IPv6 address");
  unsigned prefix = maxPrefix(a);
  if (slash != std::string_view::npos) {
    const std::string_view lengthText = entry.substr(slash + 1);
    const char* end = lengthText.data() + lengthText.size();
    auto [ptr, err] = std::from_chars(lengthText.data(), end, prefix);
    if (lengthText.empty() || err != std::errc() || ptr != end) {
      return fail("prefix length is not a number");
    }
    if (prefix > maxPrefix(a)) {
      return fail("prefix length over " + std::to_string(maxPrefix(a)));
    }
  }
  return makeRange(a, prefix);
}

bool inRange(const AddressFilter::Range& range, const address& a) {
  if (range.network.is_v4() != a.is_v4()) return false;
  return maskAddress(a, range.prefixLength) == range.network;
}

}  // namespace

address normalize(const address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  if (a.is_v6() && a.to_v6().scope_id() != 0) {
    // Scope ids name an interface, not an address: compare the bytes only.
    return address_v6(a.to_v6().to_bytes());
  }
  return a;
}

std::optional<AddressFilter> AddressFilter::parse(std::string_view spec, std::string* error) {
  AddressFilter filter;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    if (isSeparator(spec[pos])) {
      ++pos;
      continue;
    }
    std::size_t end = pos;
    while (end < spec.size() && !isSeparator(spec[end])) ++end;
    const std::string_view entry = spec.substr(pos, end - pos);
    pos = end;

    if (equalsIgnoreCase(entry, "ALL")) {
      filter.all_ = true;
    } else if (equalsIgnoreCase(entry, "LOCAL")) {
      auto local = localRanges(error);
      if (!local) return std::nullopt;
      filter.ranges_.insert(filter.ranges_.end(), local->begin(), local->end());
    } else {
      auto range = parseRangeEntry(entry, error);
      if (!range) return std::nullopt;
      filter.ranges_.push_back(*range);
    }
    if (!filter.spec_.empty()) filter.spec_ += ',';
    filter.spec_ += entry;
  }
  return filter;
}

AddressFilter AddressFilter::all() {
  AddressFilter filter;
  filter.all_ = true;
  filter.spec_ = "ALL";
  return filter;
}

AddressFilter AddressFilter::single(const address& a) {
  const address host = normalize(a);
  AddressFilter filter;
  filter.ranges_.push_back({host, maxPrefix(host)});
  filter.spec_ = host.to_string();
  return filter;
}

bool AddressFilter::matches(const address& a) const {
  if (all_) return true;
  const address host = normalize(a);
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const Range& range) { return inRange(range, host); });
}

}  // namespace crnp
