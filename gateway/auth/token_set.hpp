#pragma once
// TokenSet: the bearer tokens of --auth-tokens, parsed from the token file. Only the SHA-256
// digest of each token is kept; a lookup hashes the presented token and compares it with every
// entry's digest in constant time (CRYPTO_memcmp, no early exit), so neither the time taken nor
// an error message tells anything about a token.
//
// File format: one token per line, three fields separated by spaces or tabs,
//   <token> <name> <role>
// token: 16 to 512 printable ASCII characters without spaces (what fits an HTTP header);
// name: [A-Za-z0-9._-]{1,64}, unique (it is what the logs show instead of the token);
// role: read or write. Empty lines and lines starting with '#' are ignored.
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::auth {

/// read: the read RPCs; write: every RPC (read included).
enum class Role { Read, Write };

std::string_view toString(Role role);

inline constexpr std::size_t kMinTokenLength = 16;
inline constexpr std::size_t kMaxTokenLength = 512;
inline constexpr std::size_t kMaxTokenNameLength = 64;

using TokenDigest = std::array<unsigned char, 32>;  ///< SHA-256

/// SHA-256 of `token`.
TokenDigest digestOf(std::string_view token);

struct TokenEntry {
  TokenDigest digest;
  std::string name;
  Role role;
};

class TokenSet;
using TokenSetPtr = std::shared_ptr<const TokenSet>;

/// The outcome of TokenSet::parse: a set, or an error naming the line (never quoting a token).
struct TokenSetParse {
  TokenSetPtr tokens;
  std::string error;
};

class TokenSet {
 public:
  /// Parses the token file's text. At least one token is required.
  static TokenSetParse parse(std::string_view text);
  explicit TokenSet(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}

  /// The entry whose token is `token`, or nullptr. Time depends only on the number of entries.
  const TokenEntry* find(std::string_view token) const;

  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<TokenEntry> entries_;
};

}  // namespace gateway::auth
