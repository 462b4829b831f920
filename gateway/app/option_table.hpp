#pragma once
// The one table of crnp-gateway's options. Each entry is declared once and serves the flag
// (--name), its environment twin (CRNP_GATEWAY_NAME), the config-file key (name), --help,
// --print-config and the documentation check (tests/gateway/app/defaults_documented_test.cpp).
// Adding an option = a member in GatewayOptions, its default in common/config_defaults.hpp, one
// entry in gatewayOptionTable() (option_table.cpp) and a row in docs/configuration.md.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway_options.hpp"

namespace gateway {

/// How many values an option takes from one source.
enum class OptionArity {
  One,     ///< --name VALUE; `name: value`
  Switch,  ///< --name (= true) or --name=false; `name: true`
  List,    ///< --name A --name B or --name A,B; `name: [A, B]`; a later source replaces it all
};

struct OptionSpec {
  std::string name;      ///< the flag without its dashes, and the config-file key
  std::string typeName;  ///< for --help and the docs: HOST:PORT, DURATION, COUNT, ...
  std::string help;
  OptionArity arity = OptionArity::One;
  bool secret = false;  ///< --print-config hides the value (tokens, passwords)
  /// Sets the option in `options` from the values of one source (exactly one value unless
  /// arity is List). Returns an error that quotes the bad value; the caller names the option
  /// and the source.
  std::function<std::optional<std::string>(GatewayOptions& options,
                                           const std::vector<std::string>& values)>
      apply;
  /// The option's value(s) in `options`, in the syntax `apply` reads.
  std::function<std::vector<std::string>(const GatewayOptions& options)> show;

  std::string flag() const { return "--" + name; }
  /// CRNP_GATEWAY_ + the name in upper case, '-' as '_'.
  std::string envName() const;
};

using OptionTable = std::vector<OptionSpec>;

/// Every option of crnp-gateway, in --help order.
const OptionTable& gatewayOptionTable();

/// The entry called `name`, or nullptr.
const OptionSpec* findOption(const OptionTable& table, std::string_view name);

/// The value(s) of `spec` in `options`, joined with ", " (lists) for messages and docs.
std::string showJoined(const OptionSpec& spec, const GatewayOptions& options);

}  // namespace gateway
