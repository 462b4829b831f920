#include "token_set.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>

namespace gateway::auth {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> fieldsOf(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isBlank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !isBlank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool validToken(std::string_view token) {
  if (token.size() < kMinTokenLength || token.size() > kMaxTokenLength) return false;
  return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool validName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::optional<Role> roleFrom(std::string_view text) {
  if (text == "read") return Role::Read;
  if (text == "write") return Role::Write;
  return std::nullopt;
}

TokenSetParse failure(std::size_t line, const std::string& what) {
  return {nullptr, "line " + std::to_string(line) + ": " + what};
}

}  // namespace

std::string_view toString(Role role) { return role == Role::Write ? "write" : "read"; }

TokenDigest digestOf(std::string_view token) {
  TokenDigest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

TokenSetParse TokenSet::parse(std::string_view text) {
  std::vector<TokenEntry> entries;
  std::set<std::string> names;
  std::size_t lineNumber = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++lineNumber;
    const auto fields = fieldsOf(line);
    if (fields.empty() || fields.front().front() == '#') continue;
    if (fields.size() != 3) {
      return failure(lineNumber, "expected '<token> <name> <role>', found " +
                                     std::to_string(fields.size()) + " fields");
    }
    // The token is never quoted: a typo in it must not end up in a log.
    if (!validToken(fields[0])) {
      return failure(lineNumber, "the token must be " + std::to_string(kMinTokenLength) + " to " +
                                     std::to_string(kMaxTokenLength) +
                                     " printable ASCII characters without spaces");
    }
    const std::string name(fields[1]);
    if (!validName(name)) {
      return failure(lineNumber, "the name must be [A-Za-z0-9._-]{1," +
                                     std::to_string(kMaxTokenNameLength) + "}");
    }
    const auto role = roleFrom(fields[2]);
    if (!role) return failure(lineNumber, "the role of '" + name + "' must be read or write");
    if (!names.insert(name).second) return failure(lineNumber, "name '" + name + "' repeats");
    TokenEntry entry{digestOf(fields[0]), name, *role};
    for (const auto& other : entries) {
      if (other.digest == entry.digest) {
        return failure(lineNumber,
                       "the token of '" + name + "' is also the token of '" + other.name + "'");
      }
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) return {nullptr, "no tokens (every line is empty or a comment)"};
  return {std::make_shared<const TokenSet>(std::move(entries)), ""};
}

const TokenEntry* TokenSet::find(std::string_view token) const {
  const TokenDigest presented = digestOf(token);
  const TokenEntry* found = nullptr;
  for (const auto& entry : entries_) {
    // Every entry is compared; digests are unique, so at most one matches.
    const bool equal = CRYPTO_memcmp(entry.digest.data(), presented.data(), presented.size()) == 0;
    if (equal) found = &entry;
  }
  return found;
}

}  // namespace gateway::auth
