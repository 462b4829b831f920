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

/// Default time an event connection has to send its first bytes. A CRNP server writes its
/// whole document as soon as it is connected; an idle connection is a neighbour holding a slot.
inline constexpr std::chrono::milliseconds kDefaultFirstByteTimeout{1000};

/// Default time an incomplete event connection may hold back later events of the same peer
/// (see the callback listener). Short: a stalled connection delays other events by this much.
inline constexpr std::chrono::milliseconds kDefaultOrderGrace{50};

}  // namespace crnp
