// RegistrationService: validation, the union sent upstream, failures that change nothing,
// idempotency, generated ids, Unregister, Get/List.
#include <gtest/gtest.h>

#include <set>

#include "registration_fixture.hpp"
#include "status_mapping.hpp"
#include "type_set_diff.hpp"

namespace gateway::test {
namespace {

using Fixture = RegistrationFixture;

TEST_F(Fixture, RegisterStoresSendsTheUnionAndNotifies) {
  const auto result = registerNow("app-1", {rgState("g1"), membership()});
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.response.registration_id(), "app-1");
  EXPECT_EQ(typesOf(result.response), (Types{rgState("g1"), membership()}));  // client's order
  EXPECT_EQ(result.response.create_time().seconds(), 1'700'000'000);
  EXPECT_EQ(result.response.update_time().seconds(), 1'700'000'000);

  ASSERT_EQ(upstream_.callCount(), 1u);
  EXPECT_EQ(upstream_.calls()[0], normalizeTypes({rgState("g1"), membership()}));
  EXPECT_EQ(registry_->typesOf("app-1"), (Types{rgState("g1"), membership()}));
  ASSERT_EQ(changes().size(), 1u);
  EXPECT_EQ(changes()[0], (std::pair<std::string, std::optional<Types>>{
                              "app-1", Types{rgState("g1"), membership()}}));
}

struct BadRegister {
  const char* name;
  pb::RegisterRequest request;
  std::string reason;
};

std::vector<BadRegister> badRegisters() {
  std::vector<BadRegister> cases;
  cases.push_back({"no types", registerRequest("a", {}), "NO_EVENT_TYPES"});
  cases.push_back({"empty class", registerRequest("a", {{"", "x", {}}}), "INVALID_EVENT_TYPE"});
  cases.push_back({"rg_state without rg_name",
                   registerRequest("a", {{"EC_Cluster", "ESC_cluster_rg_state", {}}}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back({"membership with pairs",
                   registerRequest("a", {{"EC_Cluster", "ESC_cluster_membership", {{"x", {"1"}}}}}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back({"pair without value", registerRequest("a", {{"EC_Other", "", {{"x", {}}}}}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back({"rg_state with an empty rg_name", registerRequest("a", {rgState("")}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"r_state with an empty r_name",
       registerRequest("a", {{"EC_Cluster", "ESC_cluster_r_state", {{"r_name", {""}}}}}),
       "INVALID_EVENT_TYPE"});
  cases.push_back({"NUL in a value", registerRequest("a", {rgState(std::string("g\0x", 3))}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"control character", registerRequest("a", {rgState("g\x01")}), "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"invalid UTF-8", registerRequest("a", {rgState("g\xc3\x28")}), "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"overlong UTF-8", registerRequest("a", {rgState("\xc0\xaf")}), "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"UTF-8 surrogate", registerRequest("a", {rgState("\xed\xa0\x80")}), "INVALID_EVENT_TYPE"});
  cases.push_back({"value too long", registerRequest("a", {rgState(std::string(257, 'g'))}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back({"class too long", registerRequest("a", {{std::string(300, 'C'), "", {}}}),
                   "INVALID_EVENT_TYPE"});
  cases.push_back(
      {"id with a slash", registerRequest("a/b", {membership()}), "INVALID_REGISTRATION_ID"});
  cases.push_back(
      {"id with a space", registerRequest("a b", {membership()}), "INVALID_REGISTRATION_ID"});
  cases.push_back({"id too long", registerRequest(std::string(129, 'a'), {membership()}),
                   "INVALID_REGISTRATION_ID"});
  Types many;
  for (int i = 0; i < 65; ++i) many.push_back(rgState("g" + std::to_string(i)));
  cases.push_back({"65 distinct types", registerRequest("a", many), "TOO_MANY_EVENT_TYPES"});
  return cases;
}

TEST_F(Fixture, InvalidRegistrationsNeverReachTheUpstream) {
  ASSERT_TRUE(registerNow("existing", {membership()}).status.ok());
  const auto before = registry_->list();
  const auto callsBefore = upstream_.callCount();
  for (const auto& bad : badRegisters()) {
    SCOPED_TRACE(bad.name);
    const auto result = wait(registerLater(bad.request));
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(reasonOf(result.status), bad.reason);
    EXPECT_EQ(parseStatusDetails(result.status).errorInfo->domain(), "crnp-gateway");
  }
  EXPECT_EQ(upstream_.callCount(), callsBefore);
  EXPECT_EQ(registry_->list(), before);
  EXPECT_EQ(changes().size(), 1u);
}

TEST_F(Fixture, IdCharsetAndLengthLimitsAreInclusive) {
  EXPECT_TRUE(registerNow("A-z_0.9", {membership()}).status.ok());
  EXPECT_TRUE(registerNow(std::string(128, 'x'), {membership()}).status.ok());
}

TEST_F(Fixture, HugeRequestIsRefusedEarly) {
  pb::RegisterRequest request;
  request.set_registration_id("huge");
  for (int i = 0; i < 100'000; ++i)
    addType(rgState("g" + std::to_string(i)), request.add_event_types());
  const auto result = wait(registerLater(request));
  EXPECT_EQ(reasonOf(result.status), "TOO_MANY_EVENT_TYPES");
  EXPECT_EQ(upstream_.callCount(), 0u);
}

TEST_F(Fixture, InvalidTypeErrorSaysWhichOne) {
  const auto result = registerNow("a", {membership(), {"EC_Cluster", "ESC_cluster_r_state", {}}});
  EXPECT_EQ(parseStatusDetails(result.status).errorInfo->metadata().at("index"), "1");
  EXPECT_NE(result.status.error_message().find("event_types[1]"), std::string::npos);
}

TEST_F(Fixture, InvalidTypeErrorQuotesABoundedPartOfIt) {
  // Within every limit (16 pairs of 64 values of 256 bytes: 256 KiB), but membership takes no
  // pairs; the protocol's message quotes the whole type.
  crnp::EventType type{"EC_Cluster", "ESC_cluster_membership", {}};
  for (int pair = 0; pair < 16; ++pair) {
    type.nvpairs.push_back({"p" + std::to_string(pair), std::vector<std::string>(64)});
    for (auto& value : type.nvpairs.back().values) value = std::string(256, 'v');
  }
  const auto result = registerNow("a", {type});
  EXPECT_EQ(reasonOf(result.status), "INVALID_EVENT_TYPE");
  EXPECT_NE(result.status.error_message().find("event_types[0]"), std::string::npos);
  EXPECT_NE(result.status.error_message().find("truncated"), std::string::npos);
  EXPECT_LT(result.status.error_message().size(), 2 * crnp::kMaxEchoBytes);
  EXPECT_LT(result.status.error_details().size(), 4 * crnp::kMaxEchoBytes);
}

TEST_F(Fixture, DuplicateTypesAreStoredOnce) {
  const auto result = registerNow("a", {membership(), rgState("g"), membership(), rgState("g")});
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(typesOf(result.response), (Types{membership(), rgState("g")}));
  // 64 distinct types plus duplicates is within the limit.
  Types many;
  for (int i = 0; i < 64; ++i) many.push_back(rgState("g" + std::to_string(i)));
  const Types twice = many;
  many.insert(many.end(), twice.begin(), twice.end());
  const auto result2 = registerNow("b", many);
  ASSERT_TRUE(result2.status.ok()) << result2.status.error_message();
  EXPECT_EQ(registry_->typesOf("b").value_or(Types{}).size(), 64u);
}

TEST_F(Fixture, UnionIsSharedAcrossRegistrations) {
  ASSERT_TRUE(registerNow("a", {membership(), rgState("shared")}).status.ok());
  ASSERT_TRUE(registerNow("b", {rgState("shared"), rgState("own")}).status.ok());
  EXPECT_EQ(upstream_.calls().back(),
            normalizeTypes({membership(), rgState("shared"), rgState("own")}));

  ASSERT_TRUE(unregisterNow("a").status.ok());
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({rgState("shared"), rgState("own")}));

  // c adds nothing new: the upstream is asked for the same union (and, owning the
  // registration, sends nothing for it: CrnpUpstreamTest.ApplyingTheRegisteredSetAgain...).
  ASSERT_TRUE(registerNow("c", {rgState("own")}).status.ok());
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({rgState("shared"), rgState("own")}));
  EXPECT_TRUE(registry_->get("c"));

  ASSERT_TRUE(unregisterNow("b").status.ok());
  EXPECT_EQ(upstream_.calls().back(), Types{rgState("own")});
  ASSERT_TRUE(unregisterNow("c").status.ok());
  EXPECT_EQ(upstream_.calls().back(), Types{});  // last one gone: nothing registered upstream
}

class FailedUpstreamTest : public RegistrationFixture,
                           public ::testing::WithParamInterface<std::size_t> {};

TEST_P(FailedUpstreamTest, ChangesNothingAndReportsTheMappedStatus) {
  const StatusMappingRow& row = statusMappingTable()[GetParam()];
  const UpstreamResult failure{row.outcome,
                               row.outcome == crnp::RegistrationOutcome::Replied
                                   ? std::optional(row.replyCode)
                                   : std::nullopt,
                               "scripted failure", "s1:9444"};
  SCOPED_TRACE(std::string(row.crnpStatus));
  ASSERT_TRUE(registerNow("keep", {membership(), rgState("a")}).status.ok());
  const auto stored = registry_->list();
  const auto confirmed = upstream_.confirmed();
  const auto notified = changes().size();

  upstream_.script(failure);  // a new registration
  auto result = registerNow("new", {rgState("b")});
  EXPECT_EQ(result.status.error_code(), row.grpcCode);
  EXPECT_EQ(reasonOf(result.status), row.reason);
  EXPECT_EQ(parseStatusDetails(result.status).errorInfo->metadata().at("crnp_server"), "s1:9444");

  upstream_.script(failure);  // replacing one
  EXPECT_EQ(registerNow("keep", {rgState("c")}).status.error_code(), row.grpcCode);

  upstream_.script(failure);  // removing some types
  EXPECT_EQ(unregisterNow("keep", {rgState("a")}).status.error_code(), row.grpcCode);

  upstream_.script(failure);  // removing all
  EXPECT_EQ(unregisterNow("keep").status.error_code(), row.grpcCode);

  EXPECT_EQ(registry_->list(), stored);
  EXPECT_EQ(upstream_.confirmed(), confirmed);
  EXPECT_EQ(changes().size(), notified);

  // The service did not take the failed union for the upstream's: the retry asks again.
  const auto calls = upstream_.callCount();
  ASSERT_TRUE(registerNow("new", {rgState("b")}).status.ok());
  EXPECT_EQ(upstream_.callCount(), calls + 1);
}

INSTANTIATE_TEST_SUITE_P(EveryMappedFailure, FailedUpstreamTest,
                         ::testing::Range<std::size_t>(1, statusMappingTable().size()));

TEST_F(Fixture, SameRequestTwiceIsOneChange) {
  const auto first = registerNow("a", {membership(), rgState("g")});
  ASSERT_TRUE(first.status.ok());
  const auto calls = upstream_.callCount();
  const auto second = registerNow("a", {membership(), rgState("g")});
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.response.SerializeAsString(), first.response.SerializeAsString());
  // The same set in another order, with a duplicate, is the same registration too.
  const auto third = registerNow("a", {rgState("g"), membership(), rgState("g")});
  ASSERT_TRUE(third.status.ok());
  EXPECT_EQ(third.response.SerializeAsString(), first.response.SerializeAsString());
  // Every call asked the upstream for the same union, which it sends nothing for.
  const auto asked = upstream_.calls();
  ASSERT_EQ(asked.size(), calls + 2);
  EXPECT_EQ(asked[calls], asked[calls - 1]);
  EXPECT_EQ(asked[calls + 1], asked[calls - 1]);
  EXPECT_EQ(changes().size(), 1u);
}

TEST_F(Fixture, ReRegisterReplacesTypesAndKeepsCreateTime) {
  const auto first = registerNow("a", {membership()});
  const auto second = registerNow("a", {rgState("g")});
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(typesOf(second.response), Types{rgState("g")});
  EXPECT_EQ(second.response.create_time().seconds(), first.response.create_time().seconds());
  EXPECT_GT(second.response.update_time().seconds(), first.response.update_time().seconds());
  EXPECT_EQ(upstream_.calls().back(), Types{rgState("g")});  // membership is gone upstream
}

TEST_F(Fixture, EmptyIdGetsAFreshRandomOne) {
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto result = registerNow("", {membership()});
    ASSERT_TRUE(result.status.ok());
    const std::string& id = result.response.registration_id();
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(result.response.registration_id());
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(registry_->size(), 3u);
}

TEST_F(Fixture, GeneratedIdThatIsTakenIsDrawnAgain) {
  auto draws = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"fixed", "fixed", "fresh"});
  RegistrationService::Options options;
  options.newId = [draws] {
    auto id = draws->front();
    if (draws->size() > 1) draws->erase(draws->begin());
    return id;
  };
  rebuild(options);
  EXPECT_EQ(registerNow("", {membership()}).response.registration_id(), "fixed");
  EXPECT_EQ(registerNow("", {membership()}).response.registration_id(), "fresh");
  // A generator stuck on a taken id gives an error, not someone else's registration.
  const auto stuck = registerNow("", {rgState("x")});
  EXPECT_EQ(stuck.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(reasonOf(stuck.status), "ID_GENERATION_FAILED");
  EXPECT_EQ(registry_->typesOf("fresh"), Types{membership()});
}

TEST_F(Fixture, UnregisterSomeTypesKeepsTheRest) {
  ASSERT_TRUE(registerNow("a", {membership(), rgState("g1"), rgState("g2")}).status.ok());
  const auto result = unregisterNow("a", {rgState("g1")});
  ASSERT_TRUE(result.status.ok());
  EXPECT_FALSE(result.response.removed());
  EXPECT_EQ(typesOf(result.response.registration()), (Types{membership(), rgState("g2")}));
  EXPECT_EQ(registry_->typesOf("a"), (Types{membership(), rgState("g2")}));
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({membership(), rgState("g2")}));
  EXPECT_EQ(changes().back().second, (Types{membership(), rgState("g2")}));
}

TEST_F(Fixture, UnregisterOfTypesNotRegisteredIsANoOp) {
  ASSERT_TRUE(registerNow("a", {membership()}).status.ok());
  const auto calls = upstream_.callCount();
  const auto result = unregisterNow("a", {rgState("other")});
  ASSERT_TRUE(result.status.ok());
  EXPECT_FALSE(result.response.removed());
  EXPECT_EQ(typesOf(result.response.registration()), Types{membership()});
  ASSERT_EQ(upstream_.callCount(), calls + 1);
  EXPECT_EQ(upstream_.calls().back(), Types{membership()});  // the same union
  EXPECT_EQ(changes().size(), 1u);
}

TEST_F(Fixture, UnregisterAllTypesOrNoneRemovesTheRegistration) {
  ASSERT_TRUE(registerNow("a", {membership(), rgState("g")}).status.ok());
  ASSERT_TRUE(registerNow("b", {membership()}).status.ok());

  const auto listed = unregisterNow("a", {rgState("g"), membership()});
  ASSERT_TRUE(listed.status.ok());
  EXPECT_TRUE(listed.response.removed());
  EXPECT_FALSE(listed.response.has_registration());
  EXPECT_FALSE(registry_->get("a"));
  EXPECT_EQ(changes().back(), (std::pair<std::string, std::optional<Types>>{"a", std::nullopt}));

  const auto whole = unregisterNow("b");
  ASSERT_TRUE(whole.status.ok());
  EXPECT_TRUE(whole.response.removed());
  EXPECT_EQ(registry_->size(), 0u);
  EXPECT_EQ(upstream_.calls().back(), Types{});
}

TEST_F(Fixture, UnregisterOfUnknownOrBadIdFails) {
  const auto calls = upstream_.callCount();
  const auto unknown = unregisterNow("nobody");
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reasonOf(unknown.status), "REGISTRATION_NOT_FOUND");
  EXPECT_EQ(parseStatusDetails(unknown.status).errorInfo->metadata().at("registration_id"),
            "nobody");
  EXPECT_EQ(reasonOf(unregisterNow("").status), "INVALID_REGISTRATION_ID");
  EXPECT_EQ(reasonOf(unregisterNow("a", {{"", "", {}}}).status), "INVALID_EVENT_TYPE");
  EXPECT_EQ(upstream_.callCount(), calls);
}

TEST_F(Fixture, GetAndListComeFromTheRegistry) {
  ASSERT_TRUE(registerNow("b", {membership()}).status.ok());
  ASSERT_TRUE(registerNow("a", {rgState("g")}).status.ok());

  pb::GetRegistrationRequest get;
  get.set_registration_id("a");
  pb::Registration registration;
  ASSERT_TRUE(service_->getRegistration(get, &registration).ok());
  EXPECT_EQ(typesOf(registration), Types{rgState("g")});
  EXPECT_EQ(registration.create_time().seconds(), 1'700'000'001);

  get.set_registration_id("zzz");
  const auto missing = service_->getRegistration(get, &registration);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reasonOf(missing), "REGISTRATION_NOT_FOUND");
  get.set_registration_id("bad id");
  EXPECT_EQ(reasonOf(service_->getRegistration(get, &registration)), "INVALID_REGISTRATION_ID");

  pb::ListRegistrationsResponse list;
  service_->listRegistrations(&list);
  ASSERT_EQ(list.registrations_size(), 2);
  EXPECT_EQ(list.registrations(0).registration_id(), "a");
  EXPECT_EQ(list.registrations(1).registration_id(), "b");
}

TEST_F(Fixture, RegistrationCountAndUnionSizeAreBounded) {
  RegistrationService::Options options;
  options.limits.maxRegistrations = 2;
  options.limits.maxUnionTypes = 3;
  rebuild(options);
  ASSERT_TRUE(registerNow("a", {rgState("1")}).status.ok());
  ASSERT_TRUE(registerNow("b", {rgState("2")}).status.ok());
  const auto third = registerNow("c", {rgState("3")});
  EXPECT_EQ(third.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(reasonOf(third.status), "TOO_MANY_REGISTRATIONS");
  EXPECT_TRUE(registerNow("b", {rgState("2"), rgState("3")}).status.ok());  // replacing is fine
  const auto wide = registerNow("b", {rgState("2"), rgState("3"), rgState("4")});
  EXPECT_EQ(reasonOf(wide.status), "TOO_MANY_UPSTREAM_TYPES");
  EXPECT_EQ(registry_->typesOf("b"), (Types{rgState("2"), rgState("3")}));
}

}  // namespace
}  // namespace gateway::test

namespace gateway::test {
namespace {

// The gateway's own types (--watch-cluster-state) are part of every union: registered with no
// registration at all, kept when the last registration goes.
TEST_F(RegistrationFixture, OwnTypesArePartOfEveryUnion) {
  RegistrationService::Options options;
  options.ownTypes = {membership()};
  rebuild(options);

  RegistrationService::RestoreResult restored;
  service_->restore([&](RegistrationService::RestoreResult r) { restored = r; });
  EXPECT_EQ(restored.registrations, 0u);
  EXPECT_EQ(restored.types, 1u);
  EXPECT_EQ(upstream_.convergeCalls(), std::vector<Types>{Types{membership()}});

  ASSERT_TRUE(registerNow("a", {rgState("g")}).status.ok());
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({membership(), rgState("g")}));
  EXPECT_EQ(registry_->typesOf("a"), Types{rgState("g")}) << "own types are not stored";

  ASSERT_TRUE(unregisterNow("a").status.ok());
  EXPECT_EQ(upstream_.calls().back(), Types{membership()}) << "not REMOVE_CLIENT";
}

}  // namespace
}  // namespace gateway::test
