// The text rules every part shares (crnp/text.hpp): UTF-8 decoding, XML characters, and the
// bound on what an error quotes.
#include "crnp/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crnp {
namespace {

TEST(Text, DecodesEachLengthAndRefusesMalformedSequences) {
  EXPECT_EQ(decodeUtf8("a", 0)->codePoint, U'a');
  EXPECT_EQ(decodeUtf8("\xc3\xbc", 0)->length, 2u);
  EXPECT_EQ(decodeUtf8("\xe2\x82\xac", 0)->codePoint, U'\u20ac');
  EXPECT_EQ(decodeUtf8("\xf0\x9f\x98\x80", 0)->length, 4u);
  EXPECT_FALSE(decodeUtf8("\x80", 0));              // stray continuation byte
  EXPECT_FALSE(decodeUtf8("\xe2\x82", 0));          // truncated
  EXPECT_FALSE(decodeUtf8("\xc0\xaf", 0));          // overlong '/'
  EXPECT_FALSE(decodeUtf8("\xed\xa0\x80", 0));      // surrogate
  EXPECT_FALSE(decodeUtf8("\xf4\x90\x80\x80", 0));  // above U+10FFFF
}

TEST(Text, XmlTextIsUtf8OfXmlCharsOnly) {
  EXPECT_TRUE(isXmlText(""));
  EXPECT_TRUE(isXmlText("oracle-rg\t\n\r gr\xc3\xbc\xc3\x9f"));
  EXPECT_FALSE(isXmlText(std::string("a\0b", 3)));
  EXPECT_FALSE(isXmlText("bell\x07"));
  EXPECT_FALSE(isXmlText("\xef\xbf\xbe"));  // U+FFFE
  EXPECT_FALSE(isXmlText("\xff"));
}

TEST(Text, EchoKeepsShortTextAsItIs) {
  EXPECT_EQ(echoBounded(""), "");
  EXPECT_EQ(echoBounded("app-1"), "app-1");
  EXPECT_EQ(echoBounded("gr\xc3\xbc\xc3\x9f"), "gr\xc3\xbc\xc3\x9f");  // UTF-8 stays
  const std::string exactly(kMaxEchoBytes, 'x');
  EXPECT_EQ(echoBounded(exactly), exactly);
}

TEST(Text, EchoCutsLongTextAndSaysSo) {
  const std::string echoed = echoBounded(std::string(8000, 'x'));
  EXPECT_EQ(echoed, std::string(kMaxEchoBytes, 'x') + "...(truncated, 8000 bytes)");
}

TEST(Text, EchoCutsAtACharacterBoundary) {
  // 255 ASCII bytes and then 3-byte characters: the first of those would end at byte 258.
  std::string text(kMaxEchoBytes - 1, 'a');
  for (int i = 0; i < 10; ++i) text += "\xe2\x82\xac";  // U+20AC
  const std::string echoed = echoBounded(text);
  EXPECT_EQ(echoed, std::string(kMaxEchoBytes - 1, 'a') + "...(truncated, " +
                        std::to_string(text.size()) + " bytes)");
}

TEST(Text, EchoReplacesBytesThatAreNotUtf8) {
  // A stray continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(echoBounded("a\x80-"), "a\xef\xbf\xbd-");
  EXPECT_EQ(echoBounded("a\xc3"), "a\xef\xbf\xbd");
  EXPECT_EQ(echoBounded("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(echoBounded("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  // Replacements count against the bound: 8000 bad bytes echo at most kMaxEchoBytes bytes.
  const std::string echoed = echoBounded(std::string(8000, '\xff'));
  EXPECT_EQ(echoed.find("...(truncated, 8000 bytes)"), kMaxEchoBytes - kMaxEchoBytes % 3);
}

}  // namespace
}  // namespace crnp
