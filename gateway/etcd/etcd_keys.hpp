#pragma once
// Key arithmetic of etcd's API.
#include <string>

namespace gateway::etcd {

/// The range_end that selects every key starting with `prefix`: the prefix with its last
/// byte below 0xff incremented (trailing 0xff bytes dropped); "\0" (all keys) when there is
/// no such byte, as etcd's clientv3.GetPrefixRangeEnd does.
inline std::string prefixRangeEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

}  // namespace gateway::etcd
