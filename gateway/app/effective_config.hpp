#pragma once
// The effective configuration: defaults, then the config file, then the environment, then the
// flags (each later source replaces an option's whole value), with the source of every value;
// and its --print-config listing.
#include <map>
#include <optional>
#include <span>
#include <string>

#include "gateway_options.hpp"
#include "option_source.hpp"
#include "option_table.hpp"

namespace gateway {

struct EffectiveConfig {
  GatewayOptions options;
  std::map<std::string, ValueSource> sources;  ///< by option name; absent = default
  std::string configFile;                      ///< empty when none was read

  ValueSource sourceOf(const std::string& name) const;
};

struct ResolveResult {
  std::optional<EffectiveConfig> config;
  std::string error;  ///< names the option, the value and its source
};

/// Applies `settings` in order over the defaults: pass the file's, then the environment's,
/// then the flags' (a later setting of the same option wins).
ResolveResult resolveConfig(const OptionTable& table, std::span<const RawSetting> settings);

/// The environment variables of `table` that are set and not empty, as settings (a list
/// option's variable holds a comma list).
std::vector<RawSetting> readEnvironment(const OptionTable& table,
                                        const EnvironmentLookup& environment);

/// Every option, one per line, as YAML that --config reads back:
///   grpc-listen: "127.0.0.1:0"  # flag
/// with the source as a comment: flag, env:VARIABLE, file:LINE or default. Secret values are
/// not shown.
std::string formatEffectiveConfig(const OptionTable& table, const EffectiveConfig& config);

}  // namespace gateway
