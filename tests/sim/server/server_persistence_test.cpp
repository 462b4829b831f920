// Persistence of registrations across restarts, recovery events, and SYSTEM_ERROR when the
// state file cannot be written (protocol sections 3 and 4; ServerConfig::stateFile).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crnp_test_client.hpp"
#include "raw_callback_receiver.hpp"
#include "server_test_harness.hpp"
#include "state_store.hpp"
#include "temp_dir.hpp"

namespace crnp::sim {
namespace {

using namespace crnp_test;
using testing::groupEvent;
using testing::membershipEvent;
using testing::ServerHarness;
using testing::testConfig;

using ::crnp::testing::TempDir;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PersistenceTest : public ::testing::Test {
 protected:
  ServerConfig config() const {
    auto c = testConfig();
    c.stateFile = (dir_.path() / "state.json").string();
    return c;
  }
  static void expectOk(const ServerHarness& harness, std::uint16_t port, const std::string& body,
                       const char* type = "ADD_CLIENT") {
    const auto reply = exchange(harness.port(), registration(port, type, body));
    ASSERT_EQ(reply.statusCode(), "OK") << reply.bytes;
  }
  TempDir dir_;
};

TEST_F(PersistenceTest, RegistrationsSurviveARestartAndGetCurrentStateEvents) {
  RawCallbackReceiver groupA;
  RawCallbackReceiver mixed;
  {
    ServerHarness first(config());
    ASSERT_FALSE(first.start());
    expectOk(first, groupA.port(), subscribeGroup("a"));
    expectOk(first, mixed.port(), subscribeMembership() + subscribeGroup("b"));
    const auto text = readFile(config().stateFile);
    EXPECT_NE(text.find(std::to_string(groupA.port())), std::string::npos) << text;
    EXPECT_NE(text.find("ESC_cluster_membership"), std::string::npos) << text;
    EXPECT_FALSE(std::filesystem::exists(config().stateFile + ".tmp"));
  }
  auto current = [] {
    return std::vector<Event>{membershipEvent("5"), groupEvent("a", "ONLINE"),
                              groupEvent("b", "OFFLINE"), groupEvent("c", "ONLINE")};
  };
  ServerHarness second(config(), current);
  ASSERT_FALSE(second.start());
  const auto clients = second.server().clients();
  ASSERT_EQ(clients.size(), 2u);
  ASSERT_NE(second.client(groupA.port()), nullptr);
  EXPECT_EQ(second.client(mixed.port())->types.size(), 2u);

  ASSERT_TRUE(groupA.waitForConnections(1));
  ASSERT_TRUE(mixed.waitForConnections(2));
  // Then one more live event each: it must come next, proving there were no extra ones.
  second.server().publish(groupEvent("a", "OFFLINE"));
  second.server().publish(groupEvent("b", "ONLINE"));
  ASSERT_TRUE(groupA.waitForConnections(2));
  ASSERT_TRUE(mixed.waitForConnections(3));
  const auto a = groupA.connections();
  EXPECT_NE(a[0].bytes.find("CDATA[ONLINE]"), std::string::npos) << a[0].bytes;
  EXPECT_NE(a[1].bytes.find("CDATA[OFFLINE]"), std::string::npos) << a[1].bytes;
  const auto m = mixed.connections();
  EXPECT_EQ(attributeOf(m[0].bytes, "SUBCLASS"), "ESC_cluster_membership");
  EXPECT_NE(m[1].bytes.find("CDATA[OFFLINE]"), std::string::npos) << m[1].bytes;
  EXPECT_NE(m[2].bytes.find("CDATA[ONLINE]"), std::string::npos) << m[2].bytes;
}

TEST_F(PersistenceTest, RemovalsArePersisted) {
  const auto dead = refusedPort();
  {
    auto c = config();
    c.clientRetryCount = 0;
    ServerHarness first(c);
    ASSERT_FALSE(first.start());
    expectOk(first, 7401, subscribeAll());
    expectOk(first, 7402, subscribeAll());
    expectOk(first, dead, subscribeAll());
    expectOk(first, 7401, "", "REMOVE_CLIENT");
    first.server().faults().inject({FaultKind::RefuseDelivery, 0, StatusCode::Ok, {}});
    first.server().publish(membershipEvent("1"));  // fails for 7402 and the dead port
    ASSERT_TRUE(waitUntil([&] { return first.server().clients().empty(); }));
  }
  ServerHarness second(config());
  ASSERT_FALSE(second.start());
  EXPECT_TRUE(second.server().clients().empty());
}

TEST_F(PersistenceTest, FailedWriteAnswersSystemErrorAndChangesNothing) {
  ServerHarness harness(config());
  ASSERT_FALSE(harness.start());
  expectOk(harness, 7501, subscribeMembership());
  const auto before = readFile(config().stateFile);
  harness.server().faults().inject({FaultKind::FailPersist, 1, StatusCode::Ok, {}});
  const auto reply = exchange(harness.port(), registration(7502, "ADD_CLIENT"));
  EXPECT_EQ(reply.statusCode(), "SYSTEM_ERROR") << reply.bytes;
  EXPECT_NE(reply.statusMessage().find("state file"), std::string::npos);
  harness.server().faults().inject({FaultKind::FailPersist, 1, StatusCode::Ok, {}});
  EXPECT_EQ(exchange(harness.port(), registration(7501, "REMOVE_CLIENT")).statusCode(),
            "SYSTEM_ERROR");
  EXPECT_EQ(harness.server().clients().size(), 1u);
  EXPECT_NE(harness.client(7501), nullptr);
  EXPECT_EQ(readFile(config().stateFile), before);
  EXPECT_EQ(harness.server().stats().persistFailures, 2u);
  expectOk(harness, 7502, "");
}

TEST_F(PersistenceTest, UnwritableStateFileAnswersSystemError) {
  auto c = config();
  c.stateFile = (dir_.path() / "no-such-directory" / "state.json").string();
  ServerHarness harness(c);
  ASSERT_FALSE(harness.start());
  const auto reply = exchange(harness.port(), registration(7601, "ADD_CLIENT"));
  EXPECT_EQ(reply.statusCode(), "SYSTEM_ERROR") << reply.bytes;
  EXPECT_TRUE(harness.server().clients().empty());
}

TEST_F(PersistenceTest, CorruptStateFileIsReportedByStart) {
  std::ofstream(config().stateFile) << "{ not json";
  ServerHarness harness(config());
  EXPECT_TRUE(harness.start());
}

TEST(StateStore, RoundTripsRegistrations) {
  std::vector<ClientRegistration> clients(2);
  clients[0].callback = {boost::asio::ip::make_address("127.0.0.1"), 9000};
  clients[0].types = {{"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"a]]>b"}}}}};
  clients[1].callback = {boost::asio::ip::make_address("::1"), 9001};
  clients[1].types = {{"EC_Cluster", "", {}}};
  std::vector<ClientRegistration> loaded;
  std::string why;
  ASSERT_TRUE(StateStore::deserialize(StateStore::serialize(clients), loaded, &why)) << why;
  EXPECT_EQ(loaded, clients);
  EXPECT_FALSE(
      StateStore::deserialize("{\"version\":1,\"clients\":[{\"ip\":\"x\"}]}", loaded, &why));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace crnp::sim
