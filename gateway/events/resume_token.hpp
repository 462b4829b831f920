#pragma once
// Resume tokens of Subscribe: "<epoch>:<sequence>", the epoch as 16 lower-case hex digits
// (random per EventHub instance, so a token from another gateway process is recognised) and
// the sequence of the last event the stream had been given, in decimal. Clients treat the
// token as opaque; the gateway parses it strictly.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

struct ResumeToken {
  std::uint64_t epoch = 0;
  std::uint64_t sequence = 0;  ///< 0: nothing given yet
  bool operator==(const ResumeToken&) const = default;
};

std::string encodeResumeToken(const ResumeToken& token);

/// nullopt for anything encodeResumeToken cannot have produced (wrong length, case, sign,
/// leading zeros, overflow, trailing bytes).
std::optional<ResumeToken> decodeResumeToken(std::string_view text);

}  // namespace gateway
