#pragma once
// The YAML config file (--config): a flat map whose keys are the options' names (flags without
// the dashes) and whose values use the flags' syntax; a list option takes a sequence (or one
// value, or a comma list). Unknown keys, repeated keys, nested maps and empty values are
// errors that name the key, the file and the line.
#include <string>
#include <string_view>
#include <vector>

#include "option_source.hpp"
#include "option_table.hpp"

namespace gateway {

struct ConfigFileResult {
  std::vector<RawSetting> settings;  ///< in file order
  std::string error;                 ///< empty when the file was read
  bool ok() const { return error.empty(); }
};

/// Reads and checks `path` against `table` (values are parsed later, by each option).
ConfigFileResult readConfigFile(const OptionTable& table, const std::string& path);

/// The same for text already in memory; `path` is used in messages only.
ConfigFileResult parseConfigText(const OptionTable& table, std::string_view text,
                                 const std::string& path);

}  // namespace gateway
