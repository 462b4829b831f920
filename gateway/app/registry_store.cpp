#include "registry_store.hpp"

#include <fstream>
#include <sstream>

#include "etcd_registry.hpp"
#include "sqlite_registry.hpp"

namespace gateway {

etcd::EtcdResult<etcd::EtcdClientOptions> etcdClientOptions(const GatewayOptions& options) {
  etcd::EtcdClientOptions client;
  client.endpoints = splitEtcdEndpoints(options.etcdEndpoints);
  client.caFile = options.etcdCa;
  client.certFile = options.etcdCert;
  client.keyFile = options.etcdKey;
  client.username = options.etcdUsername;
  client.dialTimeout = options.etcdDialTimeout;
  if (!options.etcdPasswordFile.empty()) {
    std::ifstream in(options.etcdPasswordFile, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in) {
      return etcd::EtcdError{grpc::StatusCode::FAILED_PRECONDITION,
                             "--etcd-password-file: cannot read " + options.etcdPasswordFile};
    }
    client.password = text.str();
    while (!client.password.empty() &&
           (client.password.back() == '\n' || client.password.back() == '\r'))
      client.password.pop_back();
  }
  return client;
}

OpenedStore openRegistryStore(const GatewayOptions& options) {
  OpenedStore store;
  if (options.store != "etcd") {
    auto opened = SqliteRegistry::open(options.dataDir);
    store.registry = std::move(opened.registry);
    store.error = std::move(opened.error);
    return store;
  }
  auto clientOptions = etcdClientOptions(options);
  if (!clientOptions) {
    store.error = clientOptions.error().message;
    return store;
  }
  auto client = etcd::EtcdClient::connect(clientOptions.value());
  if (!client) {
    store.error = client.error().message;
    return store;
  }
  store.etcd = std::move(client).value();
  auto opened = EtcdRegistry::open(store.etcd, options.etcdPrefix);
  store.registry = std::move(opened.registry);
  store.error = std::move(opened.error);
  return store;
}

}  // namespace gateway
