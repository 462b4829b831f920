// The one role-per-RPC table: every method of the served APIs has a row (written out here
// independently), unknown methods need the strictest role, probes stay open.
#include "access_policy.hpp"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "crnp/gateway/v1/gateway.grpc.pb.h"
#include "crnp/sim/v1/control.grpc.pb.h"

namespace gateway::auth {
namespace {

std::string pathOf(const google::protobuf::MethodDescriptor& method) {
  return "/" + method.service()->full_name() + "/" + method.name();
}

// Through a message of the same file: that links the file's descriptors into the test.
const google::protobuf::ServiceDescriptor& service(const google::protobuf::Descriptor& message,
                                                   const std::string& name) {
  const auto* found = message.file()->FindServiceByName(name);
  EXPECT_NE(found, nullptr) << name;
  return *found;
}

TEST(AccessPolicy, EveryGatewayMethodHasTheRoleTheIssueAsksFor) {
  const std::map<std::string, Access> expected = {
      {"Register", Access::Write},       {"Unregister", Access::Write},
      {"GetRegistration", Access::Read}, {"ListRegistrations", Access::Read},
      {"GetClusterState", Access::Read}, {"Subscribe", Access::Read},
  };
  const auto& gateway = service(*crnp::gateway::v1::RegisterRequest::descriptor(), "CrnpGateway");
  ASSERT_EQ(gateway.method_count(), static_cast<int>(expected.size()))
      << "a new method needs a row in access_policy.cpp and here";
  const AccessPolicy policy;
  for (int i = 0; i < gateway.method_count(); ++i) {
    const auto& method = *gateway.method(i);
    ASSERT_TRUE(expected.count(method.name())) << method.name();
    EXPECT_EQ(policy.required(pathOf(method)), expected.at(method.name())) << method.name();
    bool explicitRow = false;  // not only the catch-all
    for (const auto& rule : AccessPolicy::rules()) explicitRow |= rule.path == pathOf(method);
    EXPECT_TRUE(explicitRow) << method.name();
  }
}

TEST(AccessPolicy, EverySimulatorControlMethodNeedsWrite) {
  const auto& control = service(*crnp::sim::v1::EmitEventRequest::descriptor(), "SimControl");
  for (const AccessPolicy policy : {AccessPolicy(false), AccessPolicy(true)}) {
    for (int i = 0; i < control.method_count(); ++i) {
      EXPECT_EQ(policy.required(pathOf(*control.method(i))), Access::Write)
          << control.method(i)->name();
    }
  }
}

TEST(AccessPolicy, ProbesStayOpenAndReflectionCanBeProtected) {
  const AccessPolicy open(false);
  const AccessPolicy protectedReflection(true);
  for (const auto* path : {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"}) {
    EXPECT_EQ(open.required(path), Access::Open) << path;
    EXPECT_EQ(protectedReflection.required(path), Access::Open) << path;
  }
  for (const auto* path : {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                           "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"}) {
    EXPECT_EQ(open.required(path), Access::Open) << path;
    EXPECT_EQ(protectedReflection.required(path), Access::Read) << path;
  }
}

TEST(AccessPolicy, UnknownPathsNeedWrite) {
  const AccessPolicy policy;
  for (const auto* path : {"/crnp.gateway.v1.CrnpGateway/Shutdown", "/other.Service/Method",
                           "/crnp.gateway.v1.CrnpGateway/RegisterX",
                           "/grpc.health.v1.HealthX/Check", "", "no-slash"}) {
    EXPECT_EQ(policy.required(path), Access::Write) << path;
  }
}

TEST(AccessPolicy, WriteIncludesRead) {
  EXPECT_TRUE(allows(Role::Read, Access::Open));
  EXPECT_TRUE(allows(Role::Read, Access::Read));
  EXPECT_FALSE(allows(Role::Read, Access::Write));
  EXPECT_TRUE(allows(Role::Write, Access::Open));
  EXPECT_TRUE(allows(Role::Write, Access::Read));
  EXPECT_TRUE(allows(Role::Write, Access::Write));
}

}  // namespace
}  // namespace gateway::auth
