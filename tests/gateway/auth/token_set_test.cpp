// The token file's format and the lookup: what parses, what is refused (by line, never quoting
// a token), and that a lookup finds exactly the token's entry.
#include "token_set.hpp"

#include <gtest/gtest.h>

namespace gateway::auth {
namespace {

const std::string kRead = "read-0123456789abcdef";
const std::string kWrite = "write-0123456789abcdef";

TEST(TokenSet, ParsesLinesCommentsBlanksAndTabs) {
  const auto parsed = TokenSet::parse("# team tokens\n\n" + kRead + " dashboards read\r\n\t" +
                                      kWrite + "\tops\twrite  \n   # indented comment\n");
  ASSERT_TRUE(parsed.tokens) << parsed.error;
  EXPECT_EQ(parsed.tokens->size(), 2u);
  const TokenEntry* reader = parsed.tokens->find(kRead);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->name, "dashboards");
  EXPECT_EQ(reader->role, Role::Read);
  const TokenEntry* writer = parsed.tokens->find(kWrite);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->name, "ops");
  EXPECT_EQ(writer->role, Role::Write);
  EXPECT_EQ(writer->digest, digestOf(kWrite));
}

TEST(TokenSet, FindsOnlyTheExactToken) {
  const auto parsed = TokenSet::parse(kRead + " a read\n");
  ASSERT_TRUE(parsed.tokens);
  EXPECT_EQ(parsed.tokens->find(""), nullptr);
  EXPECT_EQ(parsed.tokens->find(kRead.substr(0, kRead.size() - 1)), nullptr);
  EXPECT_EQ(parsed.tokens->find(kRead + "x"), nullptr);
  EXPECT_EQ(parsed.tokens->find("READ-0123456789ABCDEF"), nullptr);
  EXPECT_NE(parsed.tokens->find(kRead), nullptr);
}

struct BadFile {
  std::string text;
  std::string error;
};

class TokenSetRefuses : public ::testing::TestWithParam<BadFile> {};

TEST_P(TokenSetRefuses, NamesTheLineAndNeverTheToken) {
  const auto parsed = TokenSet::parse(GetParam().text);
  EXPECT_FALSE(parsed.tokens);
  EXPECT_EQ(parsed.error, GetParam().error);
  EXPECT_EQ(parsed.error.find("secret"), std::string::npos) << parsed.error;
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, TokenSetRefuses,
    ::testing::Values(
        BadFile{"", "no tokens (every line is empty or a comment)"},
        BadFile{"# only a comment\n\n", "no tokens (every line is empty or a comment)"},
        BadFile{"secret-0123456789abc reader\n",
                "line 1: expected '<token> <name> <role>', found 2 fields"},
        BadFile{"secret-0123456789abc reader read extra\n",
                "line 1: expected '<token> <name> <role>', found 4 fields"},
        BadFile{"secret-short a read\n",
                "line 1: the token must be 16 to 512 printable ASCII characters without spaces"},
        BadFile{"secret-0123456789\x7f"
                "abc a read\n",
                "line 1: the token must be 16 to 512 printable ASCII characters without spaces"},
        BadFile{"\nsecret-0123456789abc na/me read\n",
                "line 2: the name must be [A-Za-z0-9._-]{1,64}"},
        BadFile{"secret-0123456789abc reader admin\n",
                "line 1: the role of 'reader' must be read or write"},
        BadFile{"secret-0123456789abc a read\nsecret-0123456789abd a write\n",
                "line 2: name 'a' repeats"},
        BadFile{"secret-0123456789abc a read\nsecret-0123456789abc b write\n",
                "line 2: the token of 'b' is also the token of 'a'"}));

TEST(TokenSet, TokenLengthBounds) {
  EXPECT_TRUE(TokenSet::parse(std::string(kMinTokenLength, 't') + " a read").tokens);
  EXPECT_FALSE(TokenSet::parse(std::string(kMinTokenLength - 1, 't') + " a read").tokens);
  EXPECT_TRUE(TokenSet::parse(std::string(kMaxTokenLength, 't') + " a read").tokens);
  EXPECT_FALSE(TokenSet::parse(std::string(kMaxTokenLength + 1, 't') + " a read").tokens);
}

}  // namespace
}  // namespace gateway::auth
