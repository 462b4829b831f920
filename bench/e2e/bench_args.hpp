#pragma once
// The benchmark programs' command lines: `--name value` pairs and `--flag`s, read once; a
// missing or malformed value is a usage error (std::invalid_argument naming the option).
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

class BenchArgs {
 public:
  /// `flags` are the options that take no value.
  BenchArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const auto& name = args[i];
      if (name.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument " + name);
      bool isFlag = false;
      for (const auto& flag : flags) isFlag = isFlag || flag == name;
      if (isFlag) {
        values_[name] = "1";
      } else if (i + 1 < args.size()) {
        values_[name] = args[++i];
      } else {
        throw std::invalid_argument(name + " needs a value");
      }
    }
  }

  bool has(const std::string& name) const { return values_.count(name) != 0; }

  std::string text(const std::string& name, const std::string& fallback = {}) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  std::string required(const std::string& name) const {
    if (!has(name)) throw std::invalid_argument(name + " is required");
    return values_.at(name);
  }

  std::uint64_t number(const std::string& name, std::uint64_t fallback) const {
    if (!has(name)) return fallback;
    try {
      std::size_t used = 0;
      const auto value = std::stoull(values_.at(name), &used);
      if (used == values_.at(name).size()) return value;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(name + ": '" + values_.at(name) + "' is not a number");
  }

  double real(const std::string& name, double fallback) const {
    if (!has(name)) return fallback;
    try {
      return std::stod(values_.at(name));
    } catch (const std::exception&) {
      throw std::invalid_argument(name + ": '" + values_.at(name) + "' is not a number");
    }
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace bench
