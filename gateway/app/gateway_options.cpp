#include "gateway_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>

#include "config_file.hpp"
#include "effective_config.hpp"
#include "etcd_channel.hpp"
#include "option_table.hpp"
#include "option_values.hpp"

namespace gateway {
namespace {

constexpr const char* kConfigFlag = "--config";
constexpr const char* kConfigEnv = "CRNP_GATEWAY_CONFIG";

// What the command line gave each option, as raw text (parsed later with every other source).
struct CommandLine {
  std::map<std::string, std::string> one;  // One and Switch options, by name
  std::map<std::string, std::vector<std::string>> lists;
  std::string configFile;
  bool printConfig = false;
};

void addOptions(CLI::App& app, const OptionTable& table, CommandLine& line) {
  const GatewayOptions defaults;
  for (const auto& spec : table) {
    const std::string help = spec.help + " [env " + spec.envName() + "]";
    // A switch is off unless given; a secret's default is not shown either.
    const bool showDefault = !spec.secret && spec.arity != OptionArity::Switch;
    const std::string shownDefault = showDefault ? showJoined(spec, defaults) : "";
    CLI::Option* option = nullptr;
    switch (spec.arity) {
      case OptionArity::One:
        option = app.add_option(spec.flag(), line.one[spec.name], help);
        break;
      case OptionArity::Switch:
        // --name alone is "true"; --name=false also works.
        option = app.add_flag(spec.flag(), line.one[spec.name], help);
        break;
      case OptionArity::List:
        option = app.add_option(spec.flag(), line.lists[spec.name], help)->delimiter(',');
        break;
    }
    option->type_name(spec.arity == OptionArity::Switch ? "" : spec.typeName);
    if (!shownDefault.empty()) option->default_str(shownDefault);
  }
  app.add_option(kConfigFlag, line.configFile,
                 "YAML config file; its keys are the flags without the dashes (precedence: "
                 "flag > environment > file > default) [env " +
                     std::string(kConfigEnv) + "]")
      ->type_name("FILE");
  app.add_flag("--print-config", line.printConfig,
               "print every option's effective value and its source, then exit");
}

std::vector<RawSetting> flagSettings(const CLI::App& app, const OptionTable& table,
                                     const CommandLine& line) {
  std::vector<RawSetting> settings;
  for (const auto& spec : table) {
    if (app.get_option(spec.flag())->count() == 0) continue;
    const ValueSource source{ValueSource::Kind::Flag, spec.flag(), 0};
    if (spec.arity == OptionArity::List) {
      // CLI11 split at the commas; trimmed like the environment's and the file's lists.
      std::vector<std::string> items;
      for (const auto& given : line.lists.at(spec.name)) {
        for (auto& item : splitList(given)) items.push_back(std::move(item));
      }
      settings.push_back({spec.name, std::move(items), source});
    } else {
      settings.push_back({spec.name, {line.one.at(spec.name)}, source});
    }
  }
  return settings;
}

// Flags of the gRPC port's security that only make sense together.
std::optional<std::string> checkSecurityOptions(const GatewayOptions& o) {
  if (o.tlsCert.empty() != o.tlsKey.empty()) return "--tls-cert and --tls-key go together";
  if (!o.tlsClientCa.empty() && o.tlsCert.empty()) return "--tls-client-ca needs --tls-cert";
  if (o.authReflection && (o.authTokens.empty() || o.tlsCert.empty())) {
    // Reflection is gRPC's own service: the gateway can only check its calls in the TLS layer.
    return "--auth-reflection needs --auth-tokens and --tls-cert";
  }
  using namespace std::chrono_literals;
  if (o.securityReloadInterval < 1s || o.securityReloadInterval > 1h) {
    return "--security-reload-interval must be between 1s and 1h";
  }
  return std::nullopt;
}

// The --etcd-* flags: checked here so that a bad value fails at start with the flag's name.
std::optional<std::string> checkStoreOptions(const GatewayOptions& o) {
  if (o.store != "etcd") return std::nullopt;
  if (o.etcdEndpoints.empty()) return "--store etcd needs --etcd-endpoints host:port,...";
  for (const auto& endpoint : splitEtcdEndpoints(o.etcdEndpoints)) {
    auto parsed = etcd::parseEtcdEndpoint(endpoint);
    if (!parsed) return "--etcd-endpoints: " + parsed.error().message;
  }
  if (o.etcdPrefix.empty() || o.etcdPrefix.front() != '/' || o.etcdPrefix.back() == '/')
    return "--etcd-prefix must start with / and not end with / (e.g. /crnp-gateway)";
  if (o.etcdCert.empty() != o.etcdKey.empty()) return "--etcd-cert and --etcd-key go together";
  if (o.etcdPasswordFile.empty() != o.etcdUsername.empty())
    return "--etcd-username and --etcd-password-file go together";
  if (o.etcdDialTimeout.count() <= 0) return "--etcd-dial-timeout must be positive";
  if (o.replicaName.find('/') != std::string::npos) {
    return "--replica-name '" + o.replicaName + "' must not contain '/'";  // it is a key part
  }
  if (o.leaderLeaseTtl < std::chrono::seconds(2) ||
      o.leaderLeaseTtl % std::chrono::seconds(1) != std::chrono::milliseconds(0))
    return "--leader-lease-ttl must be whole seconds, at least 2s";
  return std::nullopt;
}

}  // namespace

std::vector<std::string> splitEtcdEndpoints(const std::string& list) {
  std::vector<std::string> endpoints;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) endpoints.push_back(std::move(item));
    start = comma + 1;
  }
  return endpoints;
}

EnvironmentLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

ParsedOptions parseGatewayOptions(int argc, const char* const* argv,
                                  const EnvironmentLookup& environment, std::ostream& out,
                                  std::ostream& err) {
  const OptionTable& table = gatewayOptionTable();
  CLI::App app{
      "crnp-gateway: follow a Solaris Cluster's reconfiguration events (CRNP) over gRPC.\n"
      "Every flag can also be set by the environment variable shown, and by the config file "
      "key of the same name without the dashes."};
  CommandLine line;
  addOptions(app, table, line);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = app.exit(e, out, err);    // prints help, or the error naming the flag
    return {std::nullopt, printed == 0 ? 0 : 2};  // one exit code for every usage error
  }
  auto fail = [&err](const std::string& message) {
    err << "crnp-gateway: " << message << "\n";
    return ParsedOptions{std::nullopt, 2};
  };

  std::vector<RawSetting> settings;  // in precedence order: file, environment, flags
  std::string configFile = line.configFile;
  if (app.get_option(kConfigFlag)->count() == 0) configFile = environment(kConfigEnv).value_or("");
  if (!configFile.empty()) {
    auto file = readConfigFile(table, configFile);
    if (!file.ok()) return fail(file.error);
    settings = std::move(file.settings);
  }
  for (auto& setting : readEnvironment(table, environment)) settings.push_back(std::move(setting));
  for (auto& setting : flagSettings(app, table, line)) settings.push_back(std::move(setting));

  auto resolved = resolveConfig(table, settings);
  if (!resolved.config) return fail(resolved.error);
  resolved.config->configFile = configFile;
  const GatewayOptions& options = resolved.config->options;
  if (!options.embeddedCluster && options.crnpServers.empty()) {
    return fail(
        "give --crnp-server host:port (the cluster's cl_apid) or --embedded-cluster (flags, "
        "environment or config file)");
  }
  if (auto error = checkSecurityOptions(options)) return fail(*error);
  if (auto error = checkStoreOptions(options)) return fail(*error);
  if (line.printConfig) {
    out << formatEffectiveConfig(table, *resolved.config);
    out.flush();
    return {std::nullopt, 0};
  }
  return {std::move(resolved.config->options), 0};
}

ParsedOptions parseGatewayOptions(int argc, const char* const* argv) {
  return parseGatewayOptions(argc, argv, processEnvironment(), std::cout, std::cerr);
}

}  // namespace gateway
