#include "resume_token.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace gateway {
namespace {

TEST(ResumeToken, EncodesEpochAsHexAndSequenceAsDecimal) {
  EXPECT_EQ(encodeResumeToken({0x0123456789abcdefULL, 42}), "0123456789abcdef:42");
  EXPECT_EQ(encodeResumeToken({0, 0}), "0000000000000000:0");
}

TEST(ResumeToken, RoundTripsExtremes) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (const ResumeToken token : {ResumeToken{0, 0}, ResumeToken{kMax, kMax}, ResumeToken{1, 1},
                                  ResumeToken{0xdeadbeefULL, 1'000'000'007ULL}}) {
    const auto decoded = decodeResumeToken(encodeResumeToken(token));
    ASSERT_TRUE(decoded.has_value()) << encodeResumeToken(token);
    EXPECT_EQ(*decoded, token);
  }
}

TEST(ResumeToken, RejectsGarbage) {
  const std::string garbage[] = {
      "",
      ":",
      "0123456789abcdef",                        // no sequence
      "0123456789abcdef:",                       // empty sequence
      "0123456789abcde:1",                       // short epoch
      "0123456789abcdef0:1",                     // long epoch
      "0123456789ABCDEF:1",                      // upper case
      "0123456789abcdeg:1",                      // not hex
      "0123456789abcdef;1",                      // wrong separator
      "0123456789abcdef:01",                     // leading zero
      "0123456789abcdef:+1",                     // sign
      "0123456789abcdef:-1",                     // negative
      "0123456789abcdef: 1",                     // space
      "0123456789abcdef:1 ",                     // trailing space
      "0123456789abcdef:1x",                     // trailing bytes
      "0123456789abcdef:18446744073709551616",   // UINT64_MAX + 1
      "0123456789abcdef:123456789012345678901",  // too long
      std::string("0123456789abcdef:1\0", 19),   // embedded NUL
      "-123456789abcdef:1",
      "0x23456789abcdef:1",
  };
  for (const auto& text : garbage) {
    EXPECT_FALSE(decodeResumeToken(text).has_value()) << '"' << text << '"';
  }
}

TEST(ResumeToken, RejectsEveryTruncation) {
  const std::string token = encodeResumeToken({0xfeedface00c0ffeeULL, 123456});
  // Prefixes shorter than "<16 hex>:<digit>" are incomplete; longer ones are other numbers.
  for (std::size_t length = 0; length < 18; ++length) {
    EXPECT_FALSE(decodeResumeToken(token.substr(0, length)).has_value()) << length;
  }
}

}  // namespace
}  // namespace gateway
