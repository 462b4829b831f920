#include "token_store.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crnp/structured_log.hpp"

namespace gateway::auth {
namespace {
constexpr std::string_view kLogComponent = "auth";
}  // namespace
namespace {

// The file's bytes, or nullopt with `error` set (naming the file and the system's reason).
std::optional<std::string> readWhole(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the token file '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    error = "cannot read the token file '" + path + "'";
    return std::nullopt;
  }
  return std::move(text).str();
}

}  // namespace

TokenSetPtr TokenStore::current() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

void TokenStore::replace(TokenSetPtr tokens) {
  std::lock_guard lock(mutex_);
  tokens_ = std::move(tokens);
}

TokenFileLoad loadTokenFile(const std::string& path) {
  TokenFileLoad load;
  const auto text = readWhole(path, load.error);
  if (!text) return load;
  load.contentDigest = digestOf(*text);
  auto parsed = TokenSet::parse(*text);
  if (!parsed.tokens) {
    load.error = "token file '" + path + "': " + parsed.error;
    return load;
  }
  load.tokens = std::move(parsed.tokens);
  return load;
}

TokenFileReloader::Outcome TokenFileReloader::check() {
  std::string error;
  const auto text = readWhole(path_, error);
  if (!text) {
    // A file being replaced may be missing for a moment: reported once, old tokens kept.
    if (!lastWasUnreadable_) {
      crnp::slog::error(kLogComponent, "token file unreadable; keeping the current tokens",
                        {{"error", error}});
    }
    lastWasUnreadable_ = true;
    return Outcome::Rejected;
  }
  lastWasUnreadable_ = false;
  const TokenDigest digest = digestOf(*text);
  if (digest == lastSeen_) return Outcome::Unchanged;
  lastSeen_ = digest;
  auto parsed = TokenSet::parse(*text);
  if (!parsed.tokens) {
    crnp::slog::error(kLogComponent, "token file not reloaded; keeping the current tokens",
                      {{"file", path_}, {"error", parsed.error}});
    return Outcome::Rejected;
  }
  crnp::slog::info(kLogComponent, "token file reloaded",
                   {{"file", path_}, {"tokens", parsed.tokens->size()}});
  store_.replace(std::move(parsed.tokens));
  return Outcome::Reloaded;
}

}  // namespace gateway::auth
