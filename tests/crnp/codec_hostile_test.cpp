// Hostile input: limits, DOCTYPE and entity tricks, and the corpus in tests/crnp/hostile/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> hostileFiles() {
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CRNP_SOURCE_DIR) / "tests/crnp/hostile")) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CodecHostile, CorpusIsMalformedForEveryReader) {
  auto files = hostileFiles();
  ASSERT_GE(files.size(), 15u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::string document = readFile(file);
    ASSERT_FALSE(document.empty());
    auto r = parseRegistration(document);
    auto reply = parseReply(document);
    auto e = parseEvent(document);
    ASSERT_FALSE(r);
    ASSERT_FALSE(reply);
    ASSERT_FALSE(e);
    EXPECT_EQ(r.error().kind, ParseErrorKind::Malformed) << r.error().message;
    EXPECT_EQ(reply.error().kind, ParseErrorKind::Malformed) << reply.error().message;
    EXPECT_EQ(e.error().kind, ParseErrorKind::Malformed) << e.error().message;
    EXPECT_NE(e.error().message.find("byte"), std::string::npos) << e.error().message;
  }
}

TEST(CodecHostile, SizeLimitIsCheckedFirst) {
  ParseLimits limits;
  limits.maxBytes = 64;
  std::string fits = test::replyWithMessage("");  // 72 bytes
  fits = fits.substr(0, 0) + "<SC_REPLY STATUS_CODE=\"OK\"><SC_STATUS_MSG/></SC_REPLY>";
  ASSERT_LE(fits.size(), 64u);
  EXPECT_TRUE(parseReply(fits, limits));

  std::string padded = fits + std::string(64 - fits.size(), ' ');
  EXPECT_TRUE(parseReply(padded, limits));  // exactly the limit
  padded += ' ';
  auto tooBig = parseReply(padded, limits);
  ASSERT_FALSE(tooBig);
  EXPECT_EQ(tooBig.error().kind, ParseErrorKind::Malformed);
  EXPECT_NE(tooBig.error().message.find("65 bytes, larger than the limit of 64"), std::string::npos)
      << tooBig.error().message;
}

TEST(CodecHostile, DefaultSizeLimitIsOneMebibyte) {
  Event e = test::sampleEvent();
  e.nvpairs = {{"blob", {std::string(1024 * 1024, 'x')}}};
  auto parsed = parseEvent(writeEvent(e));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("larger than the limit of 1048576"), std::string::npos);

  e.nvpairs = {{"blob", {std::string(1000 * 1000, 'x')}}};
  EXPECT_TRUE(parseEvent(writeEvent(e)));
}

std::string nested(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "<X>";
  for (std::size_t i = 0; i < depth; ++i) out += "</X>";
  return out;
}

TEST(CodecHostile, DepthLimit) {
  // At the limit the document gets as far as the DTD checks (Invalid); one deeper is refused
  // before any DOM is built (Malformed).
  auto atLimit = parseReply(nested(16));
  ASSERT_FALSE(atLimit);
  EXPECT_EQ(atLimit.error().kind, ParseErrorKind::Invalid);

  auto deeper = parseReply(nested(17));
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error().kind, ParseErrorKind::Malformed);
  EXPECT_NE(deeper.error().message.find("deeper than 16"), std::string::npos);

  auto veryDeep = parseReply(nested(100000));  // 700 KB: would blow a recursive parser's stack
  ASSERT_FALSE(veryDeep);
  EXPECT_EQ(veryDeep.error().kind, ParseErrorKind::Malformed);

  ParseLimits shallow;
  shallow.maxDepth = 3;
  EXPECT_TRUE(parseEvent(test::eventWithPairs("<NVPAIR><NAME>a</NAME><VALUE/></NVPAIR>"), shallow));
  shallow.maxDepth = 2;
  EXPECT_FALSE(
      parseEvent(test::eventWithPairs("<NVPAIR><NAME>a</NAME><VALUE/></NVPAIR>"), shallow));
}

std::string pairs(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += "<NVPAIR><NAME>n</NAME><VALUE/></NVPAIR>";
  return out;
}

TEST(CodecHostile, ElementCountLimit) {
  ParseLimits limits;
  limits.maxElements = 7;  // root + 2 pairs of 3 elements
  EXPECT_TRUE(parseEvent(test::eventWithPairs(pairs(2)), limits));
  auto over = parseEvent(test::eventWithPairs(pairs(2) + "<NVPAIR/>"), limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ParseErrorKind::Malformed);
  EXPECT_NE(over.error().message.find("more than 7 elements"), std::string::npos);

  // Default: 20000 elements.
  EXPECT_TRUE(parseEvent(test::eventWithPairs(pairs(6666))));
  auto flood = parseEvent(test::eventWithPairs(pairs(6667)));
  ASSERT_FALSE(flood);
  EXPECT_NE(flood.error().message.find("more than 20000 elements"), std::string::npos);
}

TEST(CodecHostile, ElementsAfterTheRootAreNotParsed) {
  // A second root full of deep nesting is refused as trailing content, not walked.
  auto parsed = parseReply(test::replyWithMessage("x") + nested(5000));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("after the end of the root element"), std::string::npos);
}

TEST(CodecHostile, EntityTricksNeverReachAValue) {
  for (std::string text : {"&xxe;", "&lol9;", "&#0;", "&#x0;", "&#;", "&#x;", "&amp", "&",
                           "&#38;xxe;", "&AMP;", "&#x110000;", "&#xFFFE;"}) {
    auto parsed = parseReply(test::replyWithMessage(text));
    if (text == "&#38;xxe;") {
      // A character reference to '&' is data: the value is the literal text "&xxe;".
      ASSERT_TRUE(parsed) << parsed.error().message;
      EXPECT_EQ(parsed.value().message, "&xxe;");
      continue;
    }
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().kind, ParseErrorKind::Malformed) << text;
  }
}

TEST(CodecHostile, ByteOrderMarkIsAllowed) {
  auto parsed = parseReply("\xEF\xBB\xBF" + test::replyWithMessage("x"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed.value().message, "x");
}

TEST(CodecHostile, GarbageAroundValidDocument) {
  std::string doc = writeRegistration(test::sampleRegistration());
  for (std::string garbage : {std::string("\0", 1), std::string("x"), std::string("<"),
                              std::string("<!-- -->"), std::string("<?pi?>")}) {
    auto parsed = parseRegistration(doc + garbage);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().kind, ParseErrorKind::Malformed);
  }
  EXPECT_TRUE(parseRegistration(doc + " \r\n\t"));
}

}  // namespace
}  // namespace crnp
