// The crnp-sim command line (CLI11). Values are taken as text first and converted afterwards,
// so that every mistake gets one message naming the flag and the accepted forms.
#include "crnp/sim/sim_options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "crnp/address_filter.hpp"
#include "crnp/duration.hpp"
#include "crnp/endpoint.hpp"

namespace crnp::sim {
namespace {

constexpr int kUsageExit = 2;
// Longer timeouts are mistakes, and would overflow timer arithmetic long before int64 does.
constexpr std::chrono::hours kMaxDuration{24 * 7};

std::optional<std::chrono::milliseconds> boundedDuration(const std::string& text) {
  const auto parsed = parseDuration(text);
  if (!parsed || *parsed > kMaxDuration) return std::nullopt;
  return parsed;
}

// Text of each flag as given (defaults shown by --help).
struct RawFlags {
  std::string listen = "0.0.0.0:9444";
  std::string allowHosts = "LOCAL";
  std::string denyHosts;
  std::size_t maxClients = 1000;
  std::string clientTimeout = "60s";
  unsigned clientRetryCount = 3;
  std::string clientRetryInterval = "1800s";
  std::string stateFile;
  std::string controlListen = "127.0.0.1:9555";
  std::string nodes = "3";
  std::size_t resourceGroups = 2;
  std::string scenario = "none";
  double eventRate = 10.0;
  std::uint64_t seed = 1;
  std::string vendor = "SUNW";
  std::string logLevel = "info";
  bool stampEmission = false;
};

void defineFlags(CLI::App& app, RawFlags& raw) {
  auto flag = [&app](const std::string& name, auto& value, const std::string& help,
                     const std::string& env) {
    return app.add_option(name, value, help)->envname(env)->capture_default_str();
  };
  flag("--listen", raw.listen, "CRNP registration address, ip:port", "CRNP_SIM_LISTEN");
  flag("--allow-hosts", raw.allowHosts, "Allow_hosts: CIDR list, LOCAL or ALL",
       "CRNP_SIM_ALLOW_HOSTS");
  flag("--deny-hosts", raw.denyHosts, "Deny_hosts: CIDR list, LOCAL or ALL (deny wins)",
       "CRNP_SIM_DENY_HOSTS");
  flag("--max-clients", raw.maxClients, "Max_clients: registered clients at most",
       "CRNP_SIM_MAX_CLIENTS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  flag("--client-timeout", raw.clientTimeout,
       "Client_timeout: time to connect and deliver one event (500ms, 2s, 30m, seconds)",
       "CRNP_SIM_CLIENT_TIMEOUT");
  flag("--client-retry-count", raw.clientRetryCount,
       "Client_retry_count: delivery retries before a client is removed",
       "CRNP_SIM_CLIENT_RETRY_COUNT")
      ->check(CLI::Range(0u, 1000u));
  flag("--client-retry-interval", raw.clientRetryInterval,
       "Client_retry_interval: time between delivery retries", "CRNP_SIM_CLIENT_RETRY_INTERVAL");
  flag("--state-file", raw.stateFile, "file the registrations persist in (empty: none)",
       "CRNP_SIM_STATE_FILE");
  flag("--control-listen", raw.controlListen, "gRPC control API address, host:port",
       "CRNP_SIM_CONTROL_LISTEN");
  flag("--nodes", raw.nodes, "node count (phys-node-1..N) or comma-separated node names",
       "CRNP_SIM_NODES");
  flag("--resource-groups", raw.resourceGroups, "resource groups app-rg-1..N",
       "CRNP_SIM_RESOURCE_GROUPS")
      ->check(CLI::Range(std::size_t{0}, kMaxResourceGroups));
  flag("--scenario", raw.scenario, "none, random or flood", "CRNP_SIM_SCENARIO")
      ->check(CLI::IsMember({"none", "random", "flood"}));
  flag("--event-rate", raw.eventRate, "random scenario: events per second", "CRNP_SIM_EVENT_RATE")
      ->check(CLI::Range(0.001, 1'000'000.0));
  flag("--seed", raw.seed, "random and flood scenarios: the same seed, the same events",
       "CRNP_SIM_SEED");
  flag("--vendor", raw.vendor, "VENDOR of the events: SUNW or ORCL", "CRNP_SIM_VENDOR")
      ->check(CLI::IsMember({"SUNW", "ORCL"}));
  app.add_flag("--stamp-emission", raw.stampEmission,
               "add ev_emit_time_ns (publication wall time, ns) to every emitted event, for "
               "latency benchmarks")
      ->envname("CRNP_SIM_STAMP_EMISSION");
  flag("--log-level", raw.logLevel, "trace, debug, info, warn, error or off", "CRNP_SIM_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

std::vector<std::string> splitNames(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream stream(text);
  std::string name;
  while (std::getline(stream, name, ',')) names.push_back(name);
  if (!text.empty() && text.back() == ',') names.emplace_back();  // caught by validation
  return names;
}

// Converts the text flags; returns the first problem as "--flag: message".
std::optional<std::string> convert(const RawFlags& raw, SimOptions& out) {
  auto& server = out.simulator.server;
  const auto listen = crnp::parseEndpoint(raw.listen);
  if (!listen) return "--listen: '" + raw.listen + "' is not ip:port (e.g. 0.0.0.0:9444)";
  server.listen = *listen;
  std::string filterError;
  if (!AddressFilter::parse(raw.allowHosts, &filterError)) return "--allow-hosts: " + filterError;
  if (!AddressFilter::parse(raw.denyHosts, &filterError)) return "--deny-hosts: " + filterError;
  server.allowHosts = raw.allowHosts;
  server.denyHosts = raw.denyHosts;
  server.maxClients = raw.maxClients;
  const auto timeout = boundedDuration(raw.clientTimeout);
  if (!timeout || timeout->count() == 0) {
    return "--client-timeout: '" + raw.clientTimeout +
           "' is not a positive duration of at most a week (500ms, 2s, 30m, 1h or seconds)";
  }
  server.clientTimeout = *timeout;
  server.clientRetryCount = raw.clientRetryCount;
  const auto interval = boundedDuration(raw.clientRetryInterval);
  if (!interval) {
    return "--client-retry-interval: '" + raw.clientRetryInterval +
           "' is not a duration of at most a week (500ms, 2s, 30m, 1h or seconds)";
  }
  server.clientRetryInterval = *interval;
  server.stateFile = raw.stateFile;

  const auto colon = raw.controlListen.rfind(':');
  unsigned port = 0;
  const char* portBegin = raw.controlListen.data() + colon + 1;
  const char* portEnd = raw.controlListen.data() + raw.controlListen.size();
  if (colon == std::string::npos || colon == 0 || portBegin == portEnd ||
      std::from_chars(portBegin, portEnd, port).ptr != portEnd || port > 65535) {
    return "--control-listen: '" + raw.controlListen + "' is not host:port (e.g. 127.0.0.1:9555)";
  }
  out.controlListen = raw.controlListen;

  auto& cluster = out.simulator.cluster;
  std::size_t count = 0;
  const char* nodesEnd = raw.nodes.data() + raw.nodes.size();
  if (!raw.nodes.empty() && std::from_chars(raw.nodes.data(), nodesEnd, count).ptr == nodesEnd) {
    cluster.nodeCount = count;
  } else {
    cluster.nodeNames = splitNames(raw.nodes);
  }
  cluster.resourceGroupCount = raw.resourceGroups;
  cluster.vendor = raw.vendor;
  if (auto problem = validate(cluster)) return "--nodes/--resource-groups/--vendor: " + *problem;

  auto& scenario = out.simulator.scenario;
  scenario.kind = scenarioKindFromString(raw.scenario).value_or(ScenarioKind::None);
  scenario.eventRate = raw.eventRate;
  scenario.seed = raw.seed;
  out.simulator.stampEmission = raw.stampEmission;
  out.logLevel = raw.logLevel;
  if (auto problem = validate(out.simulator)) return *problem;
  return std::nullopt;
}

}  // namespace

ParsedOptions parseSimOptions(int argc, const char* const* argv) {
  CLI::App app{
      "crnp-sim: a simulated Solaris Cluster with a CRNP server (cl_apid) and a gRPC control "
      "API.\nEvery flag can also be set through the environment variable shown with it.",
      "crnp-sim"};
  RawFlags raw;
  defineFlags(app, raw);
  std::ostringstream out;
  std::ostringstream err;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e, out, err);
    return {std::nullopt, 0, out.str()};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, kUsageExit,
            std::string("crnp-sim: ") + e.what() + "\nRun with --help for more information.\n"};
  }
  SimOptions options;
  if (auto problem = convert(raw, options)) {
    return {std::nullopt, kUsageExit,
            "crnp-sim: " + *problem + "\nRun with --help for more information.\n"};
  }
  return {std::move(options), 0, {}};
}

}  // namespace crnp::sim
