#pragma once
// The registration store --store chose: SqliteRegistry under --data-dir, or EtcdRegistry on
// the --etcd-* cluster (whose client is kept for the rest of the high-availability wiring).
#include <string>

#include "etcd_client.hpp"
#include "gateway_options.hpp"
#include "registry.hpp"

namespace gateway {

struct OpenedStore {
  RegistryPtr registry;      ///< set on success
  etcd::EtcdClientPtr etcd;  ///< set with --store etcd
  std::string error;         ///< set on failure, for a human
};

/// The client options of the --etcd-* flags (reads the password file); an error names the flag.
etcd::EtcdResult<etcd::EtcdClientOptions> etcdClientOptions(const GatewayOptions& options);

OpenedStore openRegistryStore(const GatewayOptions& options);

}  // namespace gateway
