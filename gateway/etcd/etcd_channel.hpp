#pragma once
// The one gRPC channel to every etcd member: target, credentials and channel arguments.
#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "etcd_options.hpp"
#include "etcd_result.hpp"

namespace gateway::etcd {

/// One endpoint, split: "host:port", "[v6]:port", with an optional http(s):// prefix.
struct EtcdEndpoint {
  std::string host;
  std::string port;
};
EtcdResult<EtcdEndpoint> parseEtcdEndpoint(const std::string& text);

/// "ipv4:a:p,b:q" (or ipv6:) for the endpoints, each host name resolved now. IPv4 addresses
/// are preferred; a list that needs both families is an error (one gRPC target cannot mix).
EtcdResult<std::string> etcdChannelTarget(const std::vector<std::string>& endpoints);

/// The channel: pick_first over the target's addresses (the next member when one fails), short
/// reconnect back-off, HTTP/2 keepalive, TLS from the option files (a file that cannot be read is
/// an error).
EtcdResult<std::shared_ptr<grpc::Channel>> makeEtcdChannel(const EtcdClientOptions& options);

}  // namespace gateway::etcd
