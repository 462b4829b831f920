#pragma once
// Durations on command lines and in environment variables: "250ms", "2s", "5m", "1h", or a
// plain number of seconds ("30", "0.5"). Shared by crnp-sim and crnp-gateway.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crnp {

/// nullopt for anything else (negative, empty, unknown unit, overflow).
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

/// The shortest exact spelling parseDuration reads back ("1500ms", "2s", "5m").
std::string formatDuration(std::chrono::milliseconds duration);

}  // namespace crnp
