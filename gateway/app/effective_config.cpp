#include "effective_config.hpp"

#include <nlohmann/json.hpp>

#include "option_values.hpp"

namespace gateway {
namespace {

// A value printed as YAML: whole numbers and booleans bare, everything else a quoted string
// (JSON strings are YAML), so that "0.0.0.0:50051", "30s" or "" read back unchanged.
std::string yamlScalar(const std::string& value, OptionArity arity) {
  if (arity == OptionArity::Switch) return value;
  const bool number = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
  return number ? value : nlohmann::json(value).dump();
}

}  // namespace

std::string ValueSource::label() const {
  switch (kind) {
    case Kind::Default:
      return "default";
    case Kind::File:
      return "file:" + std::to_string(line);
    case Kind::Env:
      return "env:" + where;
    case Kind::Flag:
      return "flag";
  }
  return "default";
}

std::string ValueSource::describe() const {
  switch (kind) {
    case Kind::Default:
      return "default";
    case Kind::File:
      return "config file " + where + ", line " + std::to_string(line);
    case Kind::Env:
      return "environment variable " + where;
    case Kind::Flag:
      return "flag " + where;
  }
  return "default";
}

ValueSource EffectiveConfig::sourceOf(const std::string& name) const {
  const auto it = sources.find(name);
  return it == sources.end() ? ValueSource{} : it->second;
}

ResolveResult resolveConfig(const OptionTable& table, std::span<const RawSetting> settings) {
  EffectiveConfig config;
  for (const auto& setting : settings) {
    const OptionSpec* spec = findOption(table, setting.name);
    if (!spec)
      return {std::nullopt, setting.source.describe() + ": unknown option " + setting.name};
    if (spec->arity != OptionArity::List && setting.values.size() != 1) {
      return {std::nullopt, setting.source.describe() + ": " + spec->name + " takes one value"};
    }
    if (auto error = spec->apply(config.options, setting.values)) {
      return {std::nullopt, setting.source.describe() + ": " + spec->name + ": " + *error};
    }
    config.sources[spec->name] = setting.source;
    if (setting.source.kind == ValueSource::Kind::File) config.configFile = setting.source.where;
  }
  return {std::move(config), ""};
}

std::vector<RawSetting> readEnvironment(const OptionTable& table,
                                        const EnvironmentLookup& environment) {
  std::vector<RawSetting> settings;
  for (const auto& spec : table) {
    const std::string variable = spec.envName();
    auto value = environment(variable);
    if (!value || value->empty()) continue;  // set but empty counts as unset
    std::vector<std::string> values =
        spec.arity == OptionArity::List ? splitList(*value) : std::vector<std::string>{*value};
    settings.push_back({spec.name, std::move(values), {ValueSource::Kind::Env, variable, 0}});
  }
  return settings;
}

std::string formatEffectiveConfig(const OptionTable& table, const EffectiveConfig& config) {
  std::string out = "# crnp-gateway effective configuration";
  out +=
      config.configFile.empty() ? " (no config file)" : " (config file: " + config.configFile + ")";
  out += "\n# key: value  # source: flag, env:VARIABLE, file:LINE or default\n";
  for (const auto& spec : table) {
    const auto source = config.sourceOf(spec.name);
    std::string value;
    if (spec.secret) {
      value = nlohmann::json(showJoined(spec, config.options).empty() ? "" : "(hidden)").dump();
    } else if (spec.arity == OptionArity::List) {
      value = "[";
      for (const auto& item : spec.show(config.options)) {
        value += (value.size() > 1 ? ", " : "") + yamlScalar(item, spec.arity);
      }
      value += "]";
    } else {
      value = yamlScalar(spec.show(config.options).at(0), spec.arity);
    }
    out += spec.name + ": " + value + "  # " + source.label() + "\n";
  }
  return out;
}

}  // namespace gateway
