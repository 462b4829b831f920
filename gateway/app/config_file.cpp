#include "config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "option_values.hpp"

namespace gateway {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;  // a config file is a few kilobytes

int lineOf(const YAML::Node& node) { return node.Mark().line + 1; }

std::string at(const std::string& path, int line) {
  return "config file " + path + ", line " + std::to_string(line) + ": ";
}

// The values of one key, or an error (without the location).
std::variant<std::vector<std::string>, std::string> valuesOf(const OptionSpec& spec,
                                                             const YAML::Node& value) {
  switch (value.Type()) {
    case YAML::NodeType::Scalar:
      if (spec.arity == OptionArity::List) return splitList(value.Scalar());
      return std::vector<std::string>{value.Scalar()};
    case YAML::NodeType::Sequence: {
      if (spec.arity != OptionArity::List) {
        return std::string("takes one value, not a list");
      }
      std::vector<std::string> items;
      for (const auto& item : value) {
        if (!item.IsScalar()) return std::string("list items must be plain values");
        for (auto& part : splitList(item.Scalar())) items.push_back(std::move(part));
      }
      return items;
    }
    case YAML::NodeType::Map:
      return std::string("takes a value, not a map");
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return std::string("has no value");
}

}  // namespace

ConfigFileResult parseConfigText(const OptionTable& table, std::string_view text,
                                 const std::string& path) {
  ConfigFileResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    result.error = at(path, e.mark.line + 1) + "not valid YAML: " + e.msg;
    return result;
  }
  if (root.IsNull()) return result;  // an empty file sets nothing
  if (!root.IsMap()) {
    result.error = at(path, lineOf(root)) +
                   "expected a map of option: value (keys are the flags without the dashes)";
    return result;
  }
  std::set<std::string> seen;
  for (const auto& entry : root) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      result.error = at(path, lineOf(key)) + "a key must be an option name";
      return result;
    }
    const std::string& name = key.Scalar();
    const OptionSpec* spec = findOption(table, name);
    if (!spec) {
      result.error = at(path, lineOf(key)) + "unknown key '" + name +
                     "' (the keys are the flags without the dashes, see crnp-gateway --help)";
      return result;
    }
    if (!seen.insert(name).second) {
      result.error = at(path, lineOf(key)) + name + ": set twice";
      return result;
    }
    auto values = valuesOf(*spec, value);
    if (auto* message = std::get_if<std::string>(&values)) {
      result.error = at(path, lineOf(key)) + name + ": " + *message;
      return result;
    }
    result.settings.push_back({name,
                               std::get<std::vector<std::string>>(std::move(values)),
                               {ValueSource::Kind::File, path, lineOf(key)}});
  }
  return result;
}

ConfigFileResult readConfigFile(const OptionTable& table, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return {{},
            "cannot read config file " + path + ": " +
                (ec ? ec.message() : std::string("not a regular file"))};
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size == 0) return {};  // an empty file sets nothing
  if (!ec && size > kMaxFileBytes) {
    return {{},
            "config file " + path + " is larger than " + std::to_string(kMaxFileBytes) + " bytes"};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) return {{}, "cannot read config file " + path};
  return parseConfigText(table, text.str(), path);
}

}  // namespace gateway
