// The pure decision: token set + path + metadata -> allowed or why not, and the status a
// client then sees (code, ErrorInfo reason and metadata), with no server involved.
#include "authorizer.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "status_details.hpp"

namespace gateway::auth {
namespace {

using test::parseStatusDetails;

const std::string kRead = "read-0123456789abcdef";
const std::string kWrite = "write-0123456789abcdef";
constexpr const char* kRegister = "/crnp.gateway.v1.CrnpGateway/Register";
constexpr const char* kSubscribe = "/crnp.gateway.v1.CrnpGateway/Subscribe";
constexpr const char* kHealth = "/grpc.health.v1.Health/Check";

// Keeps the strings the string_refs point into.
class Metadata {
 public:
  Metadata& add(std::string key, std::string value) {
    storage_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  ClientMetadata view() const {
    ClientMetadata out;
    for (const auto& [key, value] : storage_) out.emplace(key, value);
    return out;
  }

 private:
  std::deque<std::pair<std::string, std::string>> storage_;
};

Metadata bearer(const std::string& token) {
  return std::move(Metadata().add("authorization", "Bearer " + token));
}

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthDecision decide(const std::string& path, const Metadata& metadata,
                      bool protectReflection = false) const {
    return Authorizer(AccessPolicy(protectReflection)).decide(*tokens_, path, metadata.view());
  }

  TokenSetPtr tokens_ =
      TokenSet::parse(kRead + " dashboards read\n" + kWrite + " ops write\n").tokens;
};

TEST_F(AuthorizerTest, RolesPerRpc) {
  EXPECT_TRUE(decide(kSubscribe, bearer(kRead)).allowed());
  EXPECT_TRUE(decide(kSubscribe, bearer(kWrite)).allowed());
  EXPECT_TRUE(decide(kRegister, bearer(kWrite)).allowed());
  const auto denied = decide(kRegister, bearer(kRead));
  EXPECT_EQ(denied.failure, AuthFailure::RoleInsufficient);
  EXPECT_EQ(denied.caller, "dashboards");
  EXPECT_EQ(denied.required, Access::Write);
  EXPECT_EQ(decide(kSubscribe, bearer(kWrite)).caller, "ops");
}

TEST_F(AuthorizerTest, MissingAndInvalidTokens) {
  EXPECT_EQ(decide(kSubscribe, Metadata()).failure, AuthFailure::TokenMissing);
  EXPECT_EQ(decide(kSubscribe, Metadata().add("x-token", kRead)).failure,
            AuthFailure::TokenMissing);
  EXPECT_EQ(decide(kSubscribe, bearer("not-a-known-token-at-all")).failure,
            AuthFailure::TokenInvalid);
  EXPECT_EQ(decide(kSubscribe, Metadata().add("authorization", kRead)).failure,
            AuthFailure::TokenInvalid)
      << "no scheme";
  EXPECT_EQ(decide(kSubscribe, Metadata().add("authorization", "Basic " + kRead)).failure,
            AuthFailure::TokenInvalid);
  EXPECT_EQ(decide(kSubscribe, bearer(kRead).add("authorization", "Bearer " + kWrite)).failure,
            AuthFailure::TokenInvalid)
      << "two authorization entries";
  EXPECT_TRUE(
      decide(kSubscribe, Metadata().add("authorization", "bearer \t" + kRead + " ")).allowed())
      << "the scheme is case-insensitive and blanks around the token do not count";
}

TEST_F(AuthorizerTest, OpenPathsIgnoreTheMetadata) {
  EXPECT_TRUE(decide(kHealth, Metadata()).allowed());
  EXPECT_TRUE(decide(kHealth, bearer("garbage-garbage-garbage")).allowed());
  const std::string reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  EXPECT_TRUE(decide(reflection, Metadata()).allowed());
  EXPECT_EQ(decide(reflection, Metadata(), true).failure, AuthFailure::TokenMissing);
  EXPECT_TRUE(decide(reflection, bearer(kRead), true).allowed());
}

TEST(BearerToken, Forms) {
  EXPECT_EQ(bearerToken("Bearer abc"), "abc");
  EXPECT_EQ(bearerToken("BEARER  abc  "), "abc");
  EXPECT_FALSE(bearerToken("Bearer"));
  EXPECT_FALSE(bearerToken("Bearer "));
  EXPECT_FALSE(bearerToken("Bearerabc"));
  EXPECT_FALSE(bearerToken("Token abc"));
  EXPECT_FALSE(bearerToken(""));
}

TEST_F(AuthorizerTest, StatusesCarryTheTableRowsAndNeverTheToken) {
  struct Row {
    AuthDecision decision;
    grpc::StatusCode code;
    std::string reason;
  };
  const Row rows[] = {
      {decide(kRegister, Metadata()), grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING"},
      {decide(kRegister, bearer("wrong-token-0123456789")), grpc::StatusCode::UNAUTHENTICATED,
       "TOKEN_INVALID"},
      {decide(kRegister, bearer(kRead)), grpc::StatusCode::PERMISSION_DENIED, "ROLE_INSUFFICIENT"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.reason);
    const grpc::Status status = toStatus(row.decision, kRegister);
    EXPECT_EQ(status.error_code(), row.code);
    EXPECT_NE(status.error_message().find(kRegister), std::string::npos);
    const auto details = parseStatusDetails(status);
    ASSERT_TRUE(details.errorInfo);
    EXPECT_EQ(details.errorInfo->reason(), row.reason);
    EXPECT_EQ(details.errorInfo->domain(), "crnp-gateway");
    EXPECT_EQ(details.errorInfo->metadata().at("method"), kRegister);
    EXPECT_FALSE(details.retryInfo);
    for (const auto* token : {&kRead, &kWrite}) {
      EXPECT_EQ(status.error_details().find(*token), std::string::npos);
      EXPECT_EQ(status.error_message().find(*token), std::string::npos);
    }
  }
  const auto details = parseStatusDetails(toStatus(rows[2].decision, kRegister));
  EXPECT_EQ(details.errorInfo->metadata().at("required_role"), "write");
  EXPECT_EQ(details.errorInfo->metadata().at("caller"), "dashboards");
  EXPECT_TRUE(toStatus(decide(kSubscribe, bearer(kRead)), kSubscribe).ok());
}

}  // namespace
}  // namespace gateway::auth
