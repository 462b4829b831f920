#pragma once
// Where an option's value came from, and the raw text one source gave it.
#include <string>
#include <vector>

namespace gateway {

struct ValueSource {
  enum class Kind { Default, File, Env, Flag };
  Kind kind = Kind::Default;
  std::string where;  ///< File: the file's path; Env: the variable; Flag: the flag
  int line = 0;       ///< File: 1-based line of the key

  /// For --print-config: "default", "file:12", "env:CRNP_GATEWAY_X", "flag".
  std::string label() const;
  /// For error messages: "config file a.yaml, line 12", "environment variable X", "flag --x".
  std::string describe() const;
};

/// One option's values as one source wrote them (not parsed yet).
struct RawSetting {
  std::string name;  ///< the option's table name
  std::vector<std::string> values;
  ValueSource source;
};

}  // namespace gateway
