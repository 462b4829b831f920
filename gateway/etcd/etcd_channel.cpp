#include "etcd_channel.hpp"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gateway::etcd {
namespace {

EtcdError invalid(std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)};
}

// The numeric addresses of `host`, IPv4 first.
EtcdResult<std::vector<std::string>> resolve(const EtcdEndpoint& endpoint, int family) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &found);
  if (rc != 0) return std::vector<std::string>{};
  std::vector<std::string> addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
        0) {
      const std::string address = family == AF_INET6 ? "[" + std::string(text) + "]" : text;
      const std::string full = address + ":" + endpoint.port;
      if (std::find(addresses.begin(), addresses.end(), full) == addresses.end())
        addresses.push_back(full);
    }
  }
  ::freeaddrinfo(found);
  return addresses;
}

EtcdResult<std::string> readFile(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    return EtcdError{grpc::StatusCode::FAILED_PRECONDITION,
                     "cannot read the etcd " + what + " file " + path};
  }
  return text.str();
}

}  // namespace

EtcdResult<EtcdEndpoint> parseEtcdEndpoint(const std::string& text) {
  std::string rest = text;
  for (const std::string scheme : {"http://", "https://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(scheme.size());
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
    return invalid("etcd endpoint \"" + text + "\" is not host:port");
  EtcdEndpoint endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
  if (endpoint.host.front() == '[' && endpoint.host.back() == ']')
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  if (endpoint.port.find_first_not_of("0123456789") != std::string::npos ||
      endpoint.port.size() > 5 || std::stoi(endpoint.port) == 0 || std::stoi(endpoint.port) > 65535)
    return invalid("etcd endpoint \"" + text + "\" has no valid port");
  return endpoint;
}

EtcdResult<std::string> etcdChannelTarget(const std::vector<std::string>& endpoints) {
  if (endpoints.empty()) return invalid("no etcd endpoints given");
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  bool allHaveV4 = true;
  bool allHaveV6 = true;
  for (const auto& text : endpoints) {
    auto endpoint = parseEtcdEndpoint(text);
    if (!endpoint) return endpoint.error();
    auto four = resolve(endpoint.value(), AF_INET);
    auto six = resolve(endpoint.value(), AF_INET6);
    if (four.value().empty() && six.value().empty())
      return EtcdError{
          grpc::StatusCode::UNAVAILABLE,
          "etcd endpoint " + text + ": host " + endpoint.value().host + " does not resolve"};
    allHaveV4 = allHaveV4 && !four.value().empty();
    allHaveV6 = allHaveV6 && !six.value().empty();
    v4.insert(v4.end(), four.value().begin(), four.value().end());
    v6.insert(v6.end(), six.value().begin(), six.value().end());
  }
  auto join = [](const std::string& scheme, const std::vector<std::string>& addresses) {
    std::string target = scheme;
    for (std::size_t i = 0; i < addresses.size(); ++i) target += (i ? "," : "") + addresses[i];
    return target;
  };
  if (allHaveV4) return join("ipv4:", v4);
  if (allHaveV6) return join("ipv6:", v6);
  return invalid("etcd endpoints mix IPv4-only and IPv6-only members; one channel cannot");
}

EtcdResult<std::shared_ptr<grpc::Channel>> makeEtcdChannel(const EtcdClientOptions& options) {
  auto target = etcdChannelTarget(options.endpoints);
  if (!target) return target.error();

  grpc::ChannelArguments args;
  // pick_first over the member list: one member at a time, the next when it fails. With
  // round_robin (gRPC 1.51), after every member had been down while a watch kept retrying,
  // calls kept failing with "connections to all backends failing" for more than 30 s after
  // the members were back; pick_first recovered within about 10 s in the same test
  // (EtcdClient.RecoversWhenEveryMemberWasDownAndCameBack).
  args.SetLoadBalancingPolicyName("pick_first");
  // A member that comes back is used again within a second. (GRPC_ARG_MIN_RECONNECT_BACKOFF_MS
  // stays at gRPC's 20 s: it is also the least time a connection attempt gets, and a member
  // that just started may take seconds to answer HTTP/2.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A member that vanished without closing its connections (host down, partition) is noticed
  // by HTTP/2 pings; etcd accepts them every 5 s or more (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetMaxReceiveMessageSize(64 << 20);  // a range over many registrations

  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options.caFile.empty() || !options.certFile.empty() || !options.keyFile.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!options.caFile.empty()) {
      auto ca = readFile("CA", options.caFile);
      if (!ca) return ca.error();
      ssl.pem_root_certs = std::move(ca).value();
    }
    if (options.certFile.empty() != options.keyFile.empty())
      return invalid("etcd client certificate and key must be given together");
    if (!options.certFile.empty()) {
      auto cert = readFile("client certificate", options.certFile);
      if (!cert) return cert.error();
      auto key = readFile("client key", options.keyFile);
      if (!key) return key.error();
      ssl.pem_cert_chain = std::move(cert).value();
      ssl.pem_private_key = std::move(key).value();
    }
    credentials = grpc::SslCredentials(ssl);
    // The target's authority is the address list; certificates name the host of the first
    // endpoint (members of one cluster share a name or an IP SAN list).
    auto first = parseEtcdEndpoint(options.endpoints.front());
    args.SetSslTargetNameOverride(first.value().host);
  }
  return grpc::CreateCustomChannel(target.value(), credentials, args);
}

}  // namespace gateway::etcd
