#pragma once
// Tunables of the simulated cl_apid (SUNW.Event extension properties plus our limits).
// One place for their defaults.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "crnp/limits.hpp"

namespace crnp::sim {

struct ServerConfig {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v4::any(), 9444};
  std::string allowHosts = "LOCAL";                 ///< Allow_hosts: CIDR list, LOCAL, ALL
  std::string denyHosts;                            ///< Deny_hosts: deny wins
  std::size_t maxClients = 1000;                    ///< Max_clients: over it -> LOW_RESOURCE
  std::chrono::milliseconds clientTimeout{60'000};  ///< connect + deliver one event
  unsigned clientRetryCount = 3;                    ///< retries before removal
  std::chrono::milliseconds clientRetryInterval{1'800'000};  ///< between retries
  std::string stateFile;  ///< registrations persist here (atomic rewrite); empty = none
  std::chrono::milliseconds requestTimeout = kDefaultReadTimeout;  ///< read one request
  ParseLimits limits{};                                            ///< one request document
  std::size_t maxConnections = 1024;       ///< concurrent registration connections
  std::size_t maxQueuedPerClient = 10000;  ///< a client whose queue overflows is removed
};

}  // namespace crnp::sim
