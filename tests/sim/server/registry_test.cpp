// ClientRegistry: the registration rules without sockets.
#include <gtest/gtest.h>

#include "client_registry.hpp"

namespace crnp::sim {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

EventType membership() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
EventType group(const std::string& name) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {name}}}};
}

Registration request(RegType type, std::uint16_t port, std::vector<EventType> events = {}) {
  Registration r;
  r.type = type;
  r.port = port;
  r.events = std::move(events);
  return r;
}

const auto kHost = make_address("127.0.0.1");
const auto kOther = make_address("127.0.0.2");

RegistryDecision applyTo(ClientRegistry& registry, const boost::asio::ip::address& source,
                         const Registration& r) {
  auto decision = registry.evaluate(source, r);
  registry.commit(decision);
  return decision;
}

TEST(ClientRegistry, AddClientRegistersAtSourceIpAndPort) {
  ClientRegistry registry(10);
  auto decision = applyTo(registry, kHost, request(RegType::AddClient, 8888, {membership()}));
  EXPECT_EQ(decision.code, StatusCode::Ok);
  EXPECT_EQ(decision.snapshotTypes, std::vector<EventType>{membership()});
  const auto* client = registry.find(tcp::endpoint(kHost, 8888));
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->types, std::vector<EventType>{membership()});
}

TEST(ClientRegistry, EvaluateDoesNotChangeAnything) {
  ClientRegistry registry(10);
  auto decision = registry.evaluate(kHost, request(RegType::AddClient, 8888, {membership()}));
  EXPECT_EQ(decision.change, RegistryDecision::Change::Upsert);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.entriesAfter(decision).size(), 1u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ClientRegistry, MessagesBeforeAddClientAreInvalid) {
  ClientRegistry registry(10);
  for (auto type : {RegType::AddEvents, RegType::RemoveEvents, RegType::RemoveClient}) {
    auto decision = registry.evaluate(kHost, request(type, 8888, {membership()}));
    EXPECT_EQ(decision.code, StatusCode::Invalid) << toString(type);
    EXPECT_NE(decision.message.find("ADD_CLIENT"), std::string::npos) << decision.message;
  }
}

TEST(ClientRegistry, OtherSourceIpForARegisteredPortFails) {
  ClientRegistry registry(10);
  applyTo(registry, kHost, request(RegType::AddClient, 8888, {membership()}));
  for (auto type : {RegType::AddEvents, RegType::RemoveEvents, RegType::RemoveClient}) {
    auto decision = registry.evaluate(kOther, request(type, 8888, {membership()}));
    EXPECT_EQ(decision.code, StatusCode::Fail) << toString(type);
  }
  // ADD_CLIENT from another host with the same port is another client.
  auto decision = applyTo(registry, kOther, request(RegType::AddClient, 8888, {}));
  EXPECT_EQ(decision.code, StatusCode::Ok);
  EXPECT_EQ(registry.size(), 2u);
}

TEST(ClientRegistry, SecondAddClientReplacesTheRegistration) {
  ClientRegistry registry(10);
  applyTo(registry, kHost, request(RegType::AddClient, 8888, {group("a"), membership()}));
  auto decision = applyTo(registry, kHost, request(RegType::AddClient, 8888, {group("b")}));
  EXPECT_EQ(decision.code, StatusCode::Ok);
  EXPECT_EQ(registry.find(tcp::endpoint(kHost, 8888))->types, std::vector<EventType>{group("b")});
  EXPECT_EQ(registry.size(), 1u);
}

TEST(ClientRegistry, AddEventsTwiceAndRemovingUnknownAreNoOps) {
  ClientRegistry registry(10);
  applyTo(registry, kHost, request(RegType::AddClient, 8888, {membership()}));
  auto added =
      applyTo(registry, kHost, request(RegType::AddEvents, 8888, {membership(), group("a")}));
  EXPECT_EQ(added.code, StatusCode::Ok);
  EXPECT_EQ(added.snapshotTypes, std::vector<EventType>{group("a")});
  auto again = applyTo(registry, kHost, request(RegType::AddEvents, 8888, {group("a")}));
  EXPECT_EQ(again.code, StatusCode::Ok);
  EXPECT_EQ(again.change, RegistryDecision::Change::None);
  auto removeUnknown = applyTo(registry, kHost, request(RegType::RemoveEvents, 8888, {group("z")}));
  EXPECT_EQ(removeUnknown.code, StatusCode::Ok);
  EXPECT_EQ(removeUnknown.change, RegistryDecision::Change::None);
  auto removed = applyTo(registry, kHost, request(RegType::RemoveEvents, 8888, {membership()}));
  EXPECT_EQ(removed.code, StatusCode::Ok);
  EXPECT_EQ(registry.find(tcp::endpoint(kHost, 8888))->types, std::vector<EventType>{group("a")});
}

TEST(ClientRegistry, RemoveClientIgnoresItsEventList) {
  ClientRegistry registry(10);
  applyTo(registry, kHost, request(RegType::AddClient, 8888, {membership()}));
  EventType bogus{"EC_Cluster", "ESC_cluster_rg_state", {}};  // not a valid subscription
  auto decision = applyTo(registry, kHost, request(RegType::RemoveClient, 8888, {bogus}));
  EXPECT_EQ(decision.code, StatusCode::Ok);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ClientRegistry, BadSubscriptionFormsAreInvalid) {
  ClientRegistry registry(10);
  EventType groupWithoutName{"EC_Cluster", "ESC_cluster_rg_state", {}};
  EXPECT_EQ(registry.evaluate(kHost, request(RegType::AddClient, 8888, {groupWithoutName})).code,
            StatusCode::Invalid);
  EventType noClass{"", "", {}};
  EXPECT_EQ(registry.evaluate(kHost, request(RegType::AddClient, 8888, {noClass})).code,
            StatusCode::Invalid);
  EXPECT_EQ(registry.evaluate(kHost, request(RegType::AddClient, 0, {})).code, StatusCode::Invalid);
}

TEST(ClientRegistry, MaxClientsGivesLowResourceOnlyToNewClients) {
  ClientRegistry registry(2);
  applyTo(registry, kHost, request(RegType::AddClient, 1, {}));
  applyTo(registry, kHost, request(RegType::AddClient, 2, {}));
  EXPECT_EQ(registry.evaluate(kHost, request(RegType::AddClient, 3, {})).code,
            StatusCode::LowResource);
  EXPECT_EQ(registry.evaluate(kHost, request(RegType::AddClient, 2, {membership()})).code,
            StatusCode::Ok);
}

TEST(ClientRegistry, MatchingFindsClientsByType) {
  ClientRegistry registry(10);
  applyTo(registry, kHost, request(RegType::AddClient, 1, {group("a")}));
  applyTo(registry, kHost, request(RegType::AddClient, 2, {EventType{"EC_Cluster", "", {}}}));
  applyTo(registry, kHost, request(RegType::AddClient, 3, {membership()}));
  Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_rg_state";
  event.vendor = "SUNW";
  event.publisher = "rgm";
  event.nvpairs = {{"rg_name", {"a"}}, {"node_list", {"n1"}}, {"state_list", {"ONLINE"}}};
  const auto found = registry.matching(event);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].port(), 1);
  EXPECT_EQ(found[1].port(), 2);
}

}  // namespace
}  // namespace crnp::sim
