#pragma once
// Shared set-up of the etcd tests: a client on an EtcdCluster, failing the test when it
// cannot connect.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "etcd_client.hpp"
#include "etcd_cluster.hpp"

namespace gateway::etcd::testing {

using crnp::testing::EtcdCluster;

inline EtcdClientOptions optionsFor(const std::vector<std::string>& endpoints) {
  EtcdClientOptions options;
  options.endpoints = endpoints;
  options.dialTimeout = std::chrono::seconds(5);
  options.requestTimeout = std::chrono::seconds(2);
  return options;
}

inline EtcdClientPtr connectOrFail(const EtcdClientOptions& options) {
  auto client = EtcdClient::connect(options);
  EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error().message);
  return client.ok() ? client.value() : nullptr;
}

inline EtcdClientPtr connectOrFail(const EtcdCluster& cluster) {
  return connectOrFail(optionsFor(cluster.endpoints()));
}

}  // namespace gateway::etcd::testing
