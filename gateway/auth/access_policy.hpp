#pragma once
// AccessPolicy: which role each RPC needs. The one place that decides it: a table of full
// method names ("/package.Service/Method") and whole services, looked up by the path of the
// call. What is not in the table needs a write token (a method added later is closed until it
// is given a row).
#include <span>
#include <string_view>

#include "token_set.hpp"

namespace gateway::auth {

/// Open: no token needed (health probes; reflection unless protected).
enum class Access { Open, Read, Write };

std::string_view toString(Access access);

struct AccessRule {
  std::string_view path;  ///< "/pkg.Service/Method", or "/pkg.Service/" for every method
  Access access;
};

class AccessPolicy {
 public:
  /// `protectReflection`: reflection needs a read token (--auth-reflection) instead of none.
  explicit AccessPolicy(bool protectReflection = false) : protectReflection_(protectReflection) {}

  /// What a call to `path` needs.
  Access required(std::string_view path) const;

  /// The table as written (reflection rows show Open; protectReflection raises them to Read).
  static std::span<const AccessRule> rules();

 private:
  bool protectReflection_;
};

/// True when `role` may make a call that needs `access`.
bool allows(Role role, Access access);

}  // namespace gateway::auth
