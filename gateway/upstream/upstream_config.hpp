#pragma once
// Settings of CrnpUpstream; defaults from the one table (common/config_defaults.hpp). main()
// fills it from the command line; tests shorten the timers.
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "config_defaults.hpp"
#include "crnp/address_filter.hpp"
#include "crnp/limits.hpp"
#include "crnp/registration_client.hpp"

namespace gateway {

struct UpstreamConfig {
  /// CRNP servers in order of preference: the next one is tried when one is refused or does
  /// not answer the connect in time.
  std::vector<crnp::ServerAddress> servers;

  /// Where the callback listener binds. Its port is the PORT of every registration.
  boost::asio::ip::tcp::endpoint callbackListen{boost::asio::ip::address_v4::any(), 9445};

  /// Source address of registration connections: the server calls back this IP (protocol
  /// section 1), so it must be reachable from the cluster. Unset: the kernel picks one per
  /// route, and messages after ADD_CLIENT reuse the IP that ADD_CLIENT went out from (the
  /// server only accepts them from there, section 6). Overrides client.localAddress.
  std::optional<boost::asio::ip::address> registrationSource;

  /// Connect and reply timeouts of one registration exchange (5 s and 10 s by default).
  crnp::RegistrationClientOptions client = [] {
    crnp::RegistrationClientOptions options;
    options.connectTimeout = defaults::kConnectTimeout;
    options.replyTimeout = defaults::kReplyTimeout;
    return options;
  }();

  /// A full ADD_CLIENT on this schedule, because the server drops clients silently after
  /// failed deliveries and forgets them when it restarts without state (section 7): only
  /// registering again tells. The server answers each one with the latest event of every type;
  /// the event hub does not publish such repeats. Zero disables it (and health staleness).
  std::chrono::milliseconds reregisterInterval = defaults::kReregisterInterval;
  /// A full ADD_CLIENT after this long without an event or a successful exchange. Quiet
  /// clusters are normal; re-registering is cheap and harmless. Zero disables it.
  std::chrono::milliseconds silenceThreshold = defaults::kSilenceThreshold;

  /// Slack before a registration not confirmed again on schedule counts as lapsed (health
  /// turns false; see registrationAllowance).
  std::chrono::milliseconds healthGrace{1000};

  /// Retry delays of background registrations (maintenance: repairs, and converging on the
  /// desired set, e.g. the restored registrations at start): doubling from initial up to max; each
  /// delay is drawn from [delay * (1 - jitter), delay] so that gateways do not retry in lockstep.
  std::chrono::milliseconds backoffInitial = kRegistrationRetryInitial;
  std::chrono::milliseconds backoffMax = kRegistrationRetryMax;
  double jitter = kRegistrationRetryJitter;
  /// Seed of the jitter's random engine (tests fix it); unset: seeded from std::random_device.
  std::optional<std::uint64_t> randomSeed;

  /// Peers whose event connections are accepted (the server connects from an ephemeral port,
  /// so only the IP is checked). Unset: the addresses the servers resolve to at start(). Set
  /// it when the cluster calls back from other addresses than the one registered with (for
  /// instance the physical node addresses behind an HA logical host name).
  std::optional<crnp::AddressFilter> allowedCallbackSources;
  /// Open event connections at most; at the limit the listener stops accepting (the
  /// kernel's backlog holds further connections). A quarter is kept for the servers' own
  /// addresses (crnp/callback_listener.hpp).
  std::size_t callbackMaxConnections = defaults::kCallbackMaxConnections;
  /// Open event connections of one allowed address that is not a server's; over it they are
  /// closed unread.
  std::size_t callbackMaxConnectionsPerPeer = defaults::kCallbackMaxConnectionsPerPeer;
  /// Time an event connection has to send its first bytes.
  std::chrono::milliseconds callbackFirstByteTimeout = defaults::kCallbackFirstByteTimeout;
  /// Time allowed to read one event connection to EOF.
  std::chrono::milliseconds callbackReadTimeout = defaults::kCallbackReadTimeout;
};

/// How long a confirmed registration stays current for health: the re-registration interval,
/// plus the longest one exchange may take (a connect timeout per server of the failover list
/// and the reply timeout), plus healthGrace. Unset when reregisterInterval is zero: without a
/// schedule a registration never goes stale.
inline std::optional<std::chrono::milliseconds> registrationAllowance(
    const UpstreamConfig& config) {
  if (config.reregisterInterval.count() <= 0) return std::nullopt;
  const auto servers =
      static_cast<std::chrono::milliseconds::rep>(std::max<std::size_t>(config.servers.size(), 1));
  return config.reregisterInterval + config.client.connectTimeout * servers +
         config.client.replyTimeout + config.healthGrace;
}

}  // namespace gateway
