// Malformed documents: kind and a message with the byte offset and the problem.
#include <gtest/gtest.h>

#include "codec_error_cases.hpp"

namespace crnp::test {

TEST_P(CodecErrors, KindAndMessage) {
  const ErrorCase& c = GetParam();
  auto error = parseWith(c.reader, c.document);
  ASSERT_TRUE(error) << "accepted: " << c.document;
  EXPECT_EQ(error->kind, c.kind) << error->message;
  for (const std::string& mention : c.mentions) {
    EXPECT_NE(error->message.find(mention), std::string::npos)
        << "message \"" << error->message << "\" does not mention \"" << mention << "\"";
  }
}

namespace {

const std::string kReplyOk = replyWithMessage("ok");

INSTANTIATE_TEST_SUITE_P(
    CodecMalformed, CodecErrors,
    testing::Values(
        ErrorCase{"Empty", kReply, "", K::Malformed, {"byte 0", "no root element"}},
        ErrorCase{"OnlyWhitespace", kReply, " \n", K::Malformed, {"byte"}},
        ErrorCase{"NotXml", kReply, "hello", K::Malformed, {"byte 0", "text before the root"}},
        ErrorCase{"Json", kReply, "{\"a\":1}", K::Malformed, {"byte 0"}},
        ErrorCase{"Truncated",
                  kReply,
                  kReplyOk.substr(0, 40),
                  K::Malformed,
                  {"byte 40", "ends before its root element is closed", "parser:"}},
        ErrorCase{"MismatchedTags",
                  kReply,
                  "<SC_REPLY><SC_STATUS_MSG></SC_REPLY></SC_STATUS_MSG>",
                  K::Malformed,
                  {"byte", "mismatch"}},
        ErrorCase{"TwoRoots",
                  kReply,
                  kReplyOk + kReplyOk,
                  K::Malformed,
                  {"byte " + std::to_string(kReplyOk.size()), "after the end of the root"}},
        ErrorCase{"TrailingText",
                  kReply,
                  kReplyOk + "\n x",
                  K::Malformed,
                  {"byte " + std::to_string(kReplyOk.size() + 2)}},
        ErrorCase{"TrailingComment",
                  kReply,
                  kReplyOk + "<!-- -->",
                  K::Malformed,
                  {"after the end of the root"}},
        ErrorCase{"Doctype",
                  kReply,
                  "<!DOCTYPE SC_REPLY>" + kReplyOk,
                  K::Malformed,
                  {"DOCTYPE", "byte 0"}},
        ErrorCase{"DoctypeAfterDeclaration",
                  kReply,
                  "<?xml version=\"1.0\"?><!DOCTYPE SC_REPLY [<!ENTITY a \"b\">]>" + kReplyOk,
                  K::Malformed,
                  {"DOCTYPE", "byte 21"}},
        ErrorCase{"UndeclaredEntityInText",
                  kReply,
                  replyWithMessage("a&xxe;"),
                  K::Malformed,
                  {"&xxe;", "undeclared entity", "byte 57"}},
        ErrorCase{"UndeclaredEntityInAttribute",
                  kEvent,
                  "<SC_EVENT CLASS=\"&xxe;\" SUBCLASS=\"\" VENDOR=\"\" PUBLISHER=\"\"/>",
                  K::Malformed,
                  {"&xxe;", "byte 17"}},
        ErrorCase{"NulReference",
                  kReply,
                  replyWithMessage("a&#0;b"),
                  K::Malformed,
                  {"&#0;", "not an XML character"}},
        ErrorCase{"NulHexReference", kReply, replyWithMessage("&#x0;"), K::Malformed, {"&#x0;"}},
        ErrorCase{"ControlReference", kReply, replyWithMessage("&#1;"), K::Malformed, {"&#1;"}},
        ErrorCase{
            "SurrogateReference", kReply, replyWithMessage("&#xD800;"), K::Malformed, {"&#xD800;"}},
        ErrorCase{"ReferenceBeyondUnicode",
                  kReply,
                  replyWithMessage("&#x110000;"),
                  K::Malformed,
                  {"&#x110000;"}},
        ErrorCase{"HugeReference",
                  kReply,
                  replyWithMessage("&#99999999999999999999;"),
                  K::Malformed,
                  {"bad character reference"}},
        ErrorCase{"BadReference", kReply, replyWithMessage("&#xZZ;"), K::Malformed, {"&#xZZ;"}},
        ErrorCase{
            "BareAmpersand", kReply, replyWithMessage("a & b"), K::Malformed, {"'&'", "&amp;"}},
        ErrorCase{"CdataEndInText", kReply, replyWithMessage("a]]>b"), K::Malformed, {"]]>"}},
        ErrorCase{"NulByte",
                  kReply,
                  replyWithMessage(std::string("a\0b", 3)),
                  K::Malformed,
                  {"U+0000", "byte 57"}},
        ErrorCase{"ControlByte", kReply, replyWithMessage("\x01"), K::Malformed, {"U+0001"}},
        ErrorCase{
            "InvalidUtf8", kReply, replyWithMessage("\xC3("), K::Malformed, {"0xC3", "UTF-8"}},
        ErrorCase{"OverlongUtf8", kReply, replyWithMessage("\xC0\xAF"), K::Malformed, {"UTF-8"}},
        ErrorCase{
            "EncodedSurrogate", kReply, replyWithMessage("\xED\xA0\x80"), K::Malformed, {"UTF-8"}},
        ErrorCase{
            "NonCharacter", kReply, replyWithMessage("\xEF\xBF\xBF"), K::Malformed, {"U+FFFF"}},
        ErrorCase{"RepeatedAttribute",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"OK\" STATUS_CODE=\"FAIL\"><SC_STATUS_MSG/></SC_REPLY>",
                  K::Malformed,
                  {"STATUS_CODE", "repeated"}},
        ErrorCase{"LessThanInAttribute",
                  kEvent,
                  "<SC_EVENT CLASS=\"a<b\" SUBCLASS=\"\" VENDOR=\"\" PUBLISHER=\"\"/>",
                  K::Malformed,
                  {"byte"}},
        ErrorCase{"CdataBeforeRoot",
                  kReply,
                  "<![CDATA[x]]>" + kReplyOk,
                  K::Malformed,
                  {"CDATA", "byte 0"}}),
    ByName());

TEST(CodecErrors, ReplyCodeOfEveryKind) {
  EXPECT_EQ((ParseError{K::Malformed, ""}.replyCode()), StatusCode::Malformed);
  EXPECT_EQ((ParseError{K::Invalid, ""}.replyCode()), StatusCode::Invalid);
  EXPECT_EQ((ParseError{K::VersionTooHigh, ""}.replyCode()), StatusCode::VersionTooHigh);
  EXPECT_EQ((ParseError{K::VersionTooLow, ""}.replyCode()), StatusCode::VersionTooLow);
}

}  // namespace
}  // namespace crnp::test
