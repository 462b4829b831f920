// XmlFramer: documents split at every byte, byte by byte, and every reason to fail.
#include "crnp/framer.hpp"

#include <gtest/gtest.h>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

using Status = XmlFramer::Status;

// Documents whose root closes at their last byte.
const std::vector<std::string> kDocuments = {
    "<A/>",
    "<A></A>",
    "<A\n/>",
    "<A x='1'/>",
    "<A>text</A>",
    "<A><B/><C></C><D><E/></D></A>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A/>",
    "<?xml version='1.0'?><!-- c --><?pi a > b ?><A/>",
    "  \r\n\t<A>\n</A >",
    "<A x=\">\" y='/>' z=\"'\" w='\"'>x</A>",
    "<A x=\"/\"></A>",
    "<A x='a/'/>",
    "<A><!-- </A> <B> --></A>",
    "<A><!----></A>",
    "<A><!-- a - b -- c ---></A>",
    "<A><![CDATA[</A> <B> ]] ] ]]]></A>",
    "<A><![CDATA[]]></A>",
    "<A><?pi </A>?></A>",
    "<A>a > b</A>",
    "\xEF\xBB\xBF<A/>",
    "<A:B xmlns:A='urn:x'></A:B>",
    "<\xC3\xA9t\xC3\xA9/>",
    "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"OK\"><SC_STATUS_MSG><![CDATA[a]]]]><![CDATA[>b]]>"
    "</SC_STATUS_MSG></SC_REPLY>",
};

class FramerDocument : public testing::TestWithParam<std::string> {};

TEST_P(FramerDocument, WholeDocument) {
  XmlFramer framer;
  EXPECT_EQ(framer.feed(GetParam()), Status::Complete) << framer.error();
  EXPECT_EQ(framer.frame(), GetParam());
  EXPECT_EQ(framer.trailing(), "");
}

TEST_P(FramerDocument, SplitAtEveryOffset) {
  const std::string& doc = GetParam();
  for (std::size_t split = 0; split <= doc.size(); ++split) {
    XmlFramer framer;
    Status first = framer.feed(std::string_view(doc).substr(0, split));
    EXPECT_EQ(first, split == doc.size() ? Status::Complete : Status::NeedMore) << split;
    EXPECT_EQ(framer.feed(std::string_view(doc).substr(split)), Status::Complete) << split;
    EXPECT_EQ(framer.frame(), doc) << split;
  }
}

TEST_P(FramerDocument, ByteByByteCompletesAtTheLastByte) {
  const std::string& doc = GetParam();
  XmlFramer framer;
  for (std::size_t i = 0; i + 1 < doc.size(); ++i) {
    ASSERT_EQ(framer.feed(doc.substr(i, 1)), Status::NeedMore) << "at byte " << i;
  }
  EXPECT_EQ(framer.feed(doc.substr(doc.size() - 1)), Status::Complete) << framer.error();
  EXPECT_EQ(framer.frame(), doc);
  EXPECT_EQ(framer.size(), doc.size());
}

TEST_P(FramerDocument, EveryPrefixNeedsMore) {
  const std::string& doc = GetParam();
  for (std::size_t length = 0; length < doc.size(); ++length) {
    XmlFramer framer;
    EXPECT_EQ(framer.feed(doc.substr(0, length)), Status::NeedMore) << length;
    EXPECT_EQ(framer.frame(), "");
  }
}

TEST_P(FramerDocument, TrailingBytesAreKeptApart) {
  const std::string& doc = GetParam();
  for (std::string rest : {"\r\n", " <A/>", "garbage"}) {
    XmlFramer framer;
    EXPECT_EQ(framer.feed(doc + rest), Status::Complete);
    EXPECT_EQ(framer.frame(), doc);
    EXPECT_EQ(framer.trailing(), rest);
  }
}

INSTANTIATE_TEST_SUITE_P(Framer, FramerDocument, testing::ValuesIn(kDocuments));

TEST(Framer, CodecOutputSplitAtEveryOffset) {
  for (const std::string& doc : {writeRegistration(test::sampleRegistration()),
                                 writeEvent(test::sampleEvent()), writeReply({})}) {
    for (std::size_t split = 0; split <= doc.size(); ++split) {
      XmlFramer framer;
      framer.feed(doc.substr(0, split));
      ASSERT_EQ(framer.feed(doc.substr(split)), Status::Complete) << split;
      EXPECT_EQ(framer.frame(), doc);
    }
  }
}

TEST(Framer, NothingChangesAfterComplete) {
  XmlFramer framer;
  ASSERT_EQ(framer.feed("<A/> x"), Status::Complete);
  EXPECT_EQ(framer.feed("<B><B><B>"), Status::Complete);
  EXPECT_EQ(framer.frame(), "<A/>");
  EXPECT_EQ(framer.trailing(), " x");
  EXPECT_EQ(framer.status(), Status::Complete);
}

TEST(Framer, CountsElements) {
  XmlFramer framer;
  framer.feed("<?xml version='1.0'?><A><B/><!-- <C> --><![CDATA[<D>]]><E x='<F>'></E></A>");
  EXPECT_EQ(framer.elementCount(), 3u);
}

struct ErrorCase {
  const char* name;
  std::string input;
  std::string mentions;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class FramerError : public testing::TestWithParam<ErrorCase> {};

TEST_P(FramerError, WholeAndByteByByte) {
  const ErrorCase& c = GetParam();
  XmlFramer whole;
  EXPECT_EQ(whole.feed(c.input), Status::Error);
  EXPECT_NE(whole.error().find(c.mentions), std::string::npos) << whole.error();
  EXPECT_EQ(whole.frame(), "");

  XmlFramer bytes;
  for (char ch : c.input) bytes.feed(std::string_view(&ch, 1));
  EXPECT_EQ(bytes.status(), Status::Error);
  EXPECT_EQ(bytes.error(), whole.error());
  EXPECT_EQ(bytes.feed("<A/>"), Status::Error);  // stays failed
}

INSTANTIATE_TEST_SUITE_P(
    Framer, FramerError,
    testing::Values(
        ErrorCase{"Doctype", "<!DOCTYPE A><A/>", "DOCTYPE declaration at byte 0"},
        ErrorCase{"DoctypeAfterDeclaration", "<?xml version='1.0'?>\n<!DOCTYPE A [",
                  "DOCTYPE declaration at byte 22"},
        ErrorCase{"EntityDeclaration", "<!ENTITY a 'b'>", "markup declaration"},
        ErrorCase{"CdataBeforeRoot", "<![CDATA[x]]><A/>", "CDATA section outside"},
        ErrorCase{"TextBeforeRoot", "  x<A/>", "text before the root element at byte 2"},
        ErrorCase{"BomNotAtStart", " \xEF\xBB\xBF<A/>", "text before the root element at byte 1"},
        ErrorCase{"EndTagFirst", "</A>", "end tag without a start tag at byte 0"},
        ErrorCase{"SpaceAfterLt", "<A>< B/></A>", "'<' not followed by a tag name"},
        ErrorCase{"DigitAfterLt", "<1/>", "at byte 1"},
        ErrorCase{"LtInTag", "<A <B/>", "'<' inside the tag that starts at byte 0"},
        ErrorCase{"LtInEndTag", "<A></A<>", "end tag that starts at byte 3"},
        ErrorCase{"TooDeep", "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
                  "nested deeper than 16 levels at byte 48"},
        ErrorCase{"TooDeepSelfClosing", "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a/>",
                  "deeper than 16"}),
    test::ByName());

TEST(Framer, DepthAtTheLimitIsFine) {
  XmlFramer framer(1024, 3);
  EXPECT_EQ(framer.feed("<a><b><c/></b><b><c></c></b></a>"), Status::Complete);
  XmlFramer deeper(1024, 3);
  EXPECT_EQ(deeper.feed("<a><b><c><d/></c></b></a>"), Status::Error);
}

TEST(Framer, SizeLimit) {
  const std::string doc = "<A>0123456789</A>";  // 17 bytes
  XmlFramer exact(doc.size());
  EXPECT_EQ(exact.feed(doc), Status::Complete);

  XmlFramer small(doc.size() - 1);
  EXPECT_EQ(small.feed(doc), Status::Error);
  EXPECT_EQ(small.error(), "document larger than 16 bytes");
  EXPECT_LE(small.size(), 16u);

  XmlFramer drip(doc.size() - 1);
  for (char ch : doc) drip.feed(std::string_view(&ch, 1));
  EXPECT_EQ(drip.status(), Status::Error);
  EXPECT_EQ(drip.size(), 16u);
}

TEST(Framer, NeverHoldsMoreThanTheLimit) {
  XmlFramer framer(1000);
  std::string chunk(300, ' ');
  chunk[0] = '<';
  chunk[1] = 'A';
  framer.feed(chunk);
  chunk = std::string(300, 'x');
  while (framer.feed(chunk) == Status::NeedMore) {
  }
  EXPECT_EQ(framer.status(), Status::Error);
  EXPECT_EQ(framer.size(), 1000u);
}

TEST(Framer, SelfClosingRootWithTrailingInSameChunk) {
  XmlFramer framer;
  EXPECT_EQ(framer.feed("<A/><B/>"), Status::Complete);
  EXPECT_EQ(framer.frame(), "<A/>");
  EXPECT_EQ(framer.trailing(), "<B/>");
}

TEST(Framer, LargeCdataByteByByteIsLinear) {
  // 256 KiB fed one byte at a time: an incremental lexer does it in milliseconds, one that
  // rescans from the start of the current token would take minutes.
  std::string doc = "<A><![CDATA[" + std::string(256 * 1024, ']') + "x]]></A>";
  XmlFramer framer;
  for (char ch : doc) framer.feed(std::string_view(&ch, 1));
  EXPECT_EQ(framer.status(), Status::Complete);
  EXPECT_EQ(framer.frame().size(), doc.size());
}

}  // namespace
}  // namespace crnp
