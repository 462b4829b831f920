#pragma once
// How to reach etcd: the gateway's --etcd-* options, as the client takes them.
#include <chrono>
#include <string>
#include <vector>

#include "config_defaults.hpp"

namespace gateway::etcd {

struct EtcdClientOptions {
  /// host:port of each member (an http:// or https:// prefix is accepted and ignored; TLS is
  /// chosen by the files below). Host names are resolved once, when the client connects.
  std::vector<std::string> endpoints;
  /// TLS: a CA bundle to verify the members, and a client certificate + key for mTLS. TLS is
  /// used when any of the three is set.
  std::string caFile;
  std::string certFile;
  std::string keyFile;
  /// etcd authentication (Auth.Authenticate); empty username: none.
  std::string username;
  std::string password;
  /// How long connect() waits for a first member to answer.
  std::chrono::milliseconds dialTimeout{defaults::kEtcdDialTimeout};
  /// Deadline of each unary call (not of Campaign, which waits for leadership).
  std::chrono::milliseconds requestTimeout{defaults::kEtcdRequestTimeout};
};

}  // namespace gateway::etcd
