#pragma once
// TokenStore: the token set in force, replaced as a whole when the token file changes (calls
// in flight keep the snapshot they took). TokenFileReloader: reads the token file, and on each
// check() replaces the store's set when the file's content changed and parses; a file that
// does not parse (or cannot be read) leaves the old tokens in force and is reported once per
// distinct content, by line number, never quoting a token. Who calls check() (a timer in app)
// decides the interval.
#include <mutex>
#include <string>

#include "token_set.hpp"

namespace gateway::auth {

class TokenStore {
 public:
  explicit TokenStore(TokenSetPtr initial) : tokens_(std::move(initial)) {}
  TokenSetPtr current() const;
  void replace(TokenSetPtr tokens);

 private:
  mutable std::mutex mutex_;
  TokenSetPtr tokens_;
};

/// The token file read and parsed once; `error` names the file.
struct TokenFileLoad {
  TokenSetPtr tokens;
  std::string error;
  TokenDigest contentDigest{};  ///< SHA-256 of the file's bytes
};

TokenFileLoad loadTokenFile(const std::string& path);

class TokenFileReloader {
 public:
  enum class Outcome { Unchanged, Reloaded, Rejected };

  /// `initial` is the load that filled `store`; `store` must outlive this object.
  TokenFileReloader(std::string path, TokenStore& store, const TokenFileLoad& initial)
      : path_(std::move(path)), store_(store), lastSeen_(initial.contentDigest) {}

  /// Reads the file; on new content that parses, replaces the store's set (logged with the
  /// number of tokens); on new content that does not, logs an error and keeps the old set.
  Outcome check();

 private:
  const std::string path_;
  TokenStore& store_;
  TokenDigest lastSeen_;
  bool lastWasUnreadable_ = false;
};

}  // namespace gateway::auth
