#pragma once
// Limits applied to every document read from the network (one place for their defaults).
#include <chrono>
#include <cstddef>

namespace crnp {

struct ParseLimits {
  std::size_t maxBytes = 1024 * 1024;  ///< whole document, declaration included
  std::size_t maxDepth = 16;           ///< element nesting (CRNP needs 4)
  std::size_t maxElements = 20000;     ///< elements in one document
};

/// Default time allowed to read one request or event document (protocol decision: 10 s).
inline constexpr std::chrono::milliseconds kDefaultReadTimeout{10000};

}  // namespace crnp
