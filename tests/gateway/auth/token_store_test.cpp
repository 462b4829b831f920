// Token file loading and reloading: a new file replaces the set, an unchanged one does
// nothing, a bad or missing one keeps the old set and is reported once without any token.
#include "token_store.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

namespace gateway::auth {
namespace {

const std::string kFirst = "first-token-0123456789";
const std::string kSecond = "second-token-0123456789";
const std::string kThird = "third-token-0123456789";

// Everything the default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

class TokenFileTest : public ::testing::Test {
 protected:
  void write(const std::string& text) {
    std::ofstream(path_ + ".new") << text;
    std::filesystem::rename(path_ + ".new", path_);
  }

  crnp::testing::TempDir dir_;
  const std::string path_ = (dir_.path() / "tokens").string();
};

TEST_F(TokenFileTest, LoadNamesTheFileOnErrors) {
  auto missing = loadTokenFile(path_);
  EXPECT_FALSE(missing.tokens);
  EXPECT_NE(missing.error.find("cannot read the token file '" + path_ + "'"), std::string::npos)
      << missing.error;
  write(kFirst + " a nobody\n");
  auto bad = loadTokenFile(path_);
  EXPECT_FALSE(bad.tokens);
  EXPECT_EQ(bad.error, "token file '" + path_ + "': line 1: the role of 'a' must be read or write");
  write(kFirst + " a read\n");
  auto good = loadTokenFile(path_);
  ASSERT_TRUE(good.tokens) << good.error;
  EXPECT_NE(good.tokens->find(kFirst), nullptr);
}

TEST_F(TokenFileTest, ReloadReplacesKeepsOnErrorsAndNeverLogsTokens) {
  write(kFirst + " first read\n");
  const auto initial = loadTokenFile(path_);
  ASSERT_TRUE(initial.tokens);
  TokenStore store(initial.tokens);
  TokenFileReloader reloader(path_, store, initial);
  LogCapture log;

  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Unchanged);
  EXPECT_EQ(store.current(), initial.tokens);

  write(kSecond + " second write\n");
  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Reloaded);
  EXPECT_EQ(store.current()->find(kFirst), nullptr);
  ASSERT_NE(store.current()->find(kSecond), nullptr);
  const TokenSetPtr second = store.current();

  write(kThird + " third\n");  // two fields
  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Rejected);
  EXPECT_EQ(store.current(), second) << "a bad file keeps the old tokens";
  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Unchanged) << "reported once";

  std::filesystem::remove(path_);
  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Rejected);
  EXPECT_EQ(store.current(), second) << "a missing file keeps the old tokens";

  write(kThird + " third read\n");
  EXPECT_EQ(reloader.check(), TokenFileReloader::Outcome::Reloaded);
  EXPECT_NE(store.current()->find(kThird), nullptr);

  const std::string logged = log.text();
  EXPECT_NE(logged.find("token file not reloaded"), std::string::npos) << logged;
  EXPECT_NE(logged.find("error=\"line 1:"), std::string::npos) << logged;
  EXPECT_NE(logged.find("cannot read the token file"), std::string::npos) << logged;
  for (const auto* token : {&kFirst, &kSecond, &kThird}) {
    EXPECT_EQ(logged.find(*token), std::string::npos) << "a token reached the log: " << logged;
  }
}

TEST(TokenStore, CallersKeepTheSnapshotTheyTook) {
  auto first = TokenSet::parse(kFirst + " a read").tokens;
  auto second = TokenSet::parse(kSecond + " b read").tokens;
  TokenStore store(first);
  const TokenSetPtr taken = store.current();
  store.replace(second);
  EXPECT_NE(taken->find(kFirst), nullptr);
  EXPECT_EQ(store.current(), second);
}

}  // namespace
}  // namespace gateway::auth
