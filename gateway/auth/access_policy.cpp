#include "access_policy.hpp"

#include <array>

namespace gateway::auth {
namespace {

constexpr std::string_view kReflectionPrefix = "/grpc.reflection.";

// THE table. Exact methods first; a row ending in '/' covers a whole service.
constexpr std::array<AccessRule, 11> kRules{{
    {"/crnp.gateway.v1.CrnpGateway/Register", Access::Write},
    {"/crnp.gateway.v1.CrnpGateway/Unregister", Access::Write},
    {"/crnp.gateway.v1.CrnpGateway/GetRegistration", Access::Read},
    {"/crnp.gateway.v1.CrnpGateway/ListRegistrations", Access::Read},
    {"/crnp.gateway.v1.CrnpGateway/GetClusterState", Access::Read},
    {"/crnp.gateway.v1.CrnpGateway/Subscribe", Access::Read},
    // The embedded simulator's control API changes the cluster: writers only.
    {"/crnp.sim.v1.SimControl/", Access::Write},
    // Probes must work without a secret.
    {"/grpc.health.v1.Health/", Access::Open},
    {"/grpc.reflection.v1alpha.ServerReflection/", Access::Open},
    {"/grpc.reflection.v1.ServerReflection/", Access::Open},
    // Everything else, including methods added later without a row: the strictest.
    {"/", Access::Write},
}};

bool matches(std::string_view rule, std::string_view path) {
  if (rule.ends_with('/')) return path.starts_with(rule);
  return path == rule;
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::Open:
      return "open";
    case Access::Read:
      return "read";
    case Access::Write:
      return "write";
  }
  return "write";
}

std::span<const AccessRule> AccessPolicy::rules() { return kRules; }

Access AccessPolicy::required(std::string_view path) const {
  for (const auto& rule : kRules) {
    if (!matches(rule.path, path)) continue;
    if (protectReflection_ && rule.access == Access::Open && path.starts_with(kReflectionPrefix)) {
      return Access::Read;
    }
    return rule.access;
  }
  return Access::Write;  // a path that does not start with '/'
}

bool allows(Role role, Access access) {
  switch (access) {
    case Access::Open:
      return true;
    case Access::Read:
      return role == Role::Read || role == Role::Write;
    case Access::Write:
      return role == Role::Write;
  }
  return false;
}

}  // namespace gateway::auth
