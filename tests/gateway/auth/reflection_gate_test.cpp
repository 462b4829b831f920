// --auth-reflection's gate: it decides for reflection paths only (by the call's ":path"), and
// leaves every other call to the services' own check.
#include "reflection_gate.hpp"

#include <gtest/gtest.h>

namespace gateway::auth {
namespace {

const std::string kRead = "read-0123456789abcdef";
constexpr const char* kReflection =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

class ReflectionGateTest : public ::testing::Test {
 protected:
  grpc::Status process(const std::string& path, const std::string& authorization) {
    grpc::AuthMetadataProcessor::InputMetadata metadata;
    const std::string pathKey = ":path";
    const std::string authorizationKey = "authorization";
    metadata.emplace(pathKey, path);
    if (!authorization.empty()) metadata.emplace(authorizationKey, authorization);
    grpc::AuthMetadataProcessor::OutputMetadata consumed;
    grpc::AuthMetadataProcessor::OutputMetadata response;
    return gate_.Process(metadata, nullptr, &consumed, &response);
  }

  TokenStore tokens_{TokenSet::parse(kRead + " reader read\n").tokens};
  ReflectionGate gate_{tokens_, AccessPolicy(true)};
};

TEST_F(ReflectionGateTest, ReflectionNeedsAReadToken) {
  EXPECT_EQ(process(kReflection, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(process(kReflection, "Bearer unknown-token-0123456").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(process(kReflection, "Bearer " + kRead).ok());
  EXPECT_TRUE(
      process("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "Bearer " + kRead).ok());
  const auto refused = process(kReflection, "");
  EXPECT_NE(refused.error_message().find(kReflection), std::string::npos);
  EXPECT_TRUE(refused.error_details().empty()) << "details would be dropped at this layer";
}

TEST_F(ReflectionGateTest, OtherPathsAreLeftToTheServices) {
  EXPECT_TRUE(process("/crnp.gateway.v1.CrnpGateway/Register", "").ok());
  EXPECT_TRUE(process("/grpc.health.v1.Health/Check", "").ok());
  EXPECT_TRUE(process("/crnp.sim.v1.SimControl/EmitEvent", "").ok());
  EXPECT_FALSE(gate_.IsBlocking());
}

}  // namespace
}  // namespace gateway::auth
