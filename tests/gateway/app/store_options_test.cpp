// --store and the --etcd-* options: parsing, the checks made together after parsing, and the
// client options built from them (the password file).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "gateway_options.hpp"
#include "registry_store.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  ParsedOptions parsed;
  std::string errors;
};

Outcome parse(std::vector<const char*> args) {
  args.insert(args.begin(), {"crnp-gateway", "--embedded-cluster"});
  std::ostringstream out;
  std::ostringstream err;
  auto parsed = parseGatewayOptions(
      static_cast<int>(args.size()), args.data(),
      [](const std::string&) { return std::optional<std::string>(); }, out, err);
  return {std::move(parsed), err.str()};
}

TEST(StoreOptions, SqliteByDefaultAndEtcdWithItsSettings) {
  auto defaults = parse({});
  ASSERT_TRUE(defaults.parsed.options);
  EXPECT_EQ(defaults.parsed.options->store, "sqlite");
  EXPECT_EQ(defaults.parsed.options->etcdPrefix, "/crnp-gateway");
  EXPECT_EQ(defaults.parsed.options->etcdDialTimeout, 5s);

  auto etcd = parse({"--store", "etcd", "--etcd-endpoints", "10.0.0.1:2379, 10.0.0.2:2379,",
                     "--etcd-prefix", "/prod/gw", "--etcd-dial-timeout", "2s"});
  ASSERT_TRUE(etcd.parsed.options) << etcd.errors;
  EXPECT_EQ(splitEtcdEndpoints(etcd.parsed.options->etcdEndpoints),
            (std::vector<std::string>{"10.0.0.1:2379", "10.0.0.2:2379"}));
  EXPECT_EQ(etcd.parsed.options->etcdDialTimeout, 2s);
}

TEST(StoreOptions, BadCombinationsExitWithTwoNamingTheFlag) {
  const std::vector<std::pair<std::vector<const char*>, std::string>> cases{
      {{"--store", "postgres"}, "--store"},
      {{"--store", "etcd", "--etcd-endpoints", ""}, "--etcd-endpoints"},
      {{"--store", "etcd", "--etcd-endpoints", "10.0.0.1"}, "--etcd-endpoints"},
      {{"--store", "etcd", "--etcd-prefix", "no-slash"}, "--etcd-prefix"},
      {{"--store", "etcd", "--etcd-prefix", "/trailing/"}, "--etcd-prefix"},
      {{"--store", "etcd", "--etcd-cert", "c.pem"}, "--etcd-cert and --etcd-key"},
      {{"--store", "etcd", "--etcd-username", "u"}, "--etcd-password-file"},
  };
  for (const auto& [args, flag] : cases) {
    auto outcome = parse(args);
    EXPECT_EQ(outcome.parsed.exitCode, 2) << flag;
    EXPECT_FALSE(outcome.parsed.options) << flag;
    EXPECT_NE(outcome.errors.find(flag), std::string::npos) << outcome.errors;
  }
}

TEST(StoreOptions, ClientOptionsReadThePasswordFileWithoutItsNewline) {
  crnp::testing::TempDir dir;
  const std::string file = dir.string() + "/password";
  std::ofstream(file) << "s3 cret\n";
  GatewayOptions options;
  options.etcdEndpoints = "127.0.0.1:1,127.0.0.1:2";
  options.etcdUsername = "gateway";
  options.etcdPasswordFile = file;
  auto client = etcdClientOptions(options);
  ASSERT_TRUE(client.ok()) << client.error().message;
  EXPECT_EQ(client.value().password, "s3 cret");
  EXPECT_EQ(client.value().endpoints.size(), 2u);

  options.etcdPasswordFile = dir.string() + "/missing";
  auto missing = etcdClientOptions(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("--etcd-password-file"), std::string::npos);
}

}  // namespace
}  // namespace gateway
