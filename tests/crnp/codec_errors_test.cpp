// Every class of error: its kind (hence the reply code) and a message that names the problem.
#include <gtest/gtest.h>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

enum class Reader { Registration, Reply, Event };

struct ErrorCase {
  const char* name;
  Reader reader;
  std::string document;
  ParseErrorKind kind;
  std::vector<std::string> mentions;  // every one must appear in the message
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

std::optional<ParseError> parseWith(Reader reader, std::string_view document) {
  switch (reader) {
    case Reader::Registration:
      if (auto r = parseRegistration(document); !r) return r.error();
      return std::nullopt;
    case Reader::Reply:
      if (auto r = parseReply(document); !r) return r.error();
      return std::nullopt;
    case Reader::Event:
      if (auto r = parseEvent(document); !r) return r.error();
      return std::nullopt;
  }
  return std::nullopt;
}

class CodecErrors : public testing::TestWithParam<ErrorCase> {};

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

using K = ParseErrorKind;
constexpr auto kReg = Reader::Registration;
constexpr auto kReply = Reader::Reply;
constexpr auto kEvent = Reader::Event;

std::string reg(std::string_view attributes, std::string_view content = "") {
  std::string out = "<SC_CALLBACK_REG " + std::string(attributes);
  return content.empty() ? out + "/>" : out + ">" + std::string(content) + "</SC_CALLBACK_REG>";
}
std::string regWith(std::string_view content) {
  return reg("VERSION=\"1.0\" PORT=\"8888\" regType=\"ADD_CLIENT\"", content);
}
std::string regWithPair(std::string_view pair) {
  return regWith("<SC_EVENT_REG CLASS=\"EC_Cluster\">" + std::string(pair) + "</SC_EVENT_REG>");
}
const std::string kReplyOk = test::replyWithMessage("ok");

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
                  test::replyWithMessage("a&xxe;"),
                  K::Malformed,
                  {"&xxe;", "undeclared entity", "byte 57"}},
        ErrorCase{"UndeclaredEntityInAttribute",
                  kEvent,
                  "<SC_EVENT CLASS=\"&xxe;\" SUBCLASS=\"\" VENDOR=\"\" PUBLISHER=\"\"/>",
                  K::Malformed,
                  {"&xxe;", "byte 17"}},
        ErrorCase{"NulReference",
                  kReply,
                  test::replyWithMessage("a&#0;b"),
                  K::Malformed,
                  {"&#0;", "not an XML character"}},
        ErrorCase{
            "NulHexReference", kReply, test::replyWithMessage("&#x0;"), K::Malformed, {"&#x0;"}},
        ErrorCase{
            "ControlReference", kReply, test::replyWithMessage("&#1;"), K::Malformed, {"&#1;"}},
        ErrorCase{"SurrogateReference",
                  kReply,
                  test::replyWithMessage("&#xD800;"),
                  K::Malformed,
                  {"&#xD800;"}},
        ErrorCase{"ReferenceBeyondUnicode",
                  kReply,
                  test::replyWithMessage("&#x110000;"),
                  K::Malformed,
                  {"&#x110000;"}},
        ErrorCase{"HugeReference",
                  kReply,
                  test::replyWithMessage("&#99999999999999999999;"),
                  K::Malformed,
                  {"bad character reference"}},
        ErrorCase{
            "BadReference", kReply, test::replyWithMessage("&#xZZ;"), K::Malformed, {"&#xZZ;"}},
        ErrorCase{"BareAmpersand",
                  kReply,
                  test::replyWithMessage("a & b"),
                  K::Malformed,
                  {"'&'", "&amp;"}},
        ErrorCase{"CdataEndInText", kReply, test::replyWithMessage("a]]>b"), K::Malformed, {"]]>"}},
        ErrorCase{"NulByte",
                  kReply,
                  test::replyWithMessage(std::string("a\0b", 3)),
                  K::Malformed,
                  {"U+0000", "byte 57"}},
        ErrorCase{"ControlByte", kReply, test::replyWithMessage("\x01"), K::Malformed, {"U+0001"}},
        ErrorCase{"InvalidUtf8",
                  kReply,
                  test::replyWithMessage("\xC3("),
                  K::Malformed,
                  {"0xC3", "UTF-8"}},
        ErrorCase{
            "OverlongUtf8", kReply, test::replyWithMessage("\xC0\xAF"), K::Malformed, {"UTF-8"}},
        ErrorCase{"EncodedSurrogate",
                  kReply,
                  test::replyWithMessage("\xED\xA0\x80"),
                  K::Malformed,
                  {"UTF-8"}},
        ErrorCase{"NonCharacter",
                  kReply,
                  test::replyWithMessage("\xEF\xBF\xBF"),
                  K::Malformed,
                  {"U+FFFF"}},
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
    test::ByName());

INSTANTIATE_TEST_SUITE_P(
    CodecInvalid, CodecErrors,
    testing::Values(
        ErrorCase{
            "WrongRoot", kReg, kReplyOk, K::Invalid, {"<SC_REPLY>", "expected <SC_CALLBACK_REG>"}},
        ErrorCase{"WrongRootForReply", kReply, regWith(""), K::Invalid, {"<SC_CALLBACK_REG>"}},
        ErrorCase{"UnknownRootAttribute",
                  kReg,
                  reg("PORT=\"1\" regType=\"ADD_CLIENT\" X=\"1\""),
                  K::Invalid,
                  {"unknown attribute X", "SC_CALLBACK_REG"}},
        ErrorCase{
            "MissingPort", kReg, reg("regType=\"ADD_CLIENT\""), K::Invalid, {"PORT", "missing"}},
        ErrorCase{"PortNotNumeric",
                  kReg,
                  reg("PORT=\"abc\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\"abc\"", "1..65535"}},
        ErrorCase{
            "PortZero", kReg, reg("PORT=\"0\" regType=\"ADD_CLIENT\""), K::Invalid, {"PORT=\"0\""}},
        ErrorCase{"PortTooLarge",
                  kReg,
                  reg("PORT=\"65536\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\"65536\""}},
        ErrorCase{"PortOverflow",
                  kReg,
                  reg("PORT=\"99999999999999999999999\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT"}},
        ErrorCase{"PortNegative",
                  kReg,
                  reg("PORT=\"-1\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\"-1\""}},
        ErrorCase{"PortPlus",
                  kReg,
                  reg("PORT=\"+80\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\"+80\""}},
        ErrorCase{"PortTrailingGarbage",
                  kReg,
                  reg("PORT=\"80x\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\"80x\""}},
        ErrorCase{"PortSpaces",
                  kReg,
                  reg("PORT=\" 80\" regType=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"PORT=\" 80\""}},
        ErrorCase{
            "PortEmpty", kReg, reg("PORT=\"\" regType=\"ADD_CLIENT\""), K::Invalid, {"PORT=\"\""}},
        ErrorCase{"MissingRegType", kReg, reg("PORT=\"1\""), K::Invalid, {"regType", "missing"}},
        ErrorCase{"UnknownRegType",
                  kReg,
                  reg("PORT=\"1\" regType=\"ADD\""),
                  K::Invalid,
                  {"regType=\"ADD\"", "ADD_CLIENT"}},
        ErrorCase{"LowerCaseRegType",
                  kReg,
                  reg("PORT=\"1\" regType=\"add_client\""),
                  K::Invalid,
                  {"\"add_client\""}},
        ErrorCase{"UnknownAliasValue",
                  kReg,
                  reg("PORT=\"1\" REG_TYPE=\"X\""),
                  K::Invalid,
                  {"REG_TYPE=\"X\""}},
        ErrorCase{"BothRegTypeSpellings",
                  kReg,
                  reg("PORT=\"1\" regType=\"ADD_CLIENT\" REG_TYPE=\"ADD_CLIENT\""),
                  K::Invalid,
                  {"regType", "REG_TYPE"}},
        ErrorCase{"EventRegWithoutClass",
                  kReg,
                  regWith("<SC_EVENT_REG/>"),
                  K::Invalid,
                  {"SC_CALLBACK_REG/SC_EVENT_REG[1]", "CLASS", "missing"}},
        ErrorCase{"EventRegEmptyClass",
                  kReg,
                  regWith("<SC_EVENT_REG CLASS=\"A\"/><SC_EVENT_REG CLASS=\"\"/>"),
                  K::Invalid,
                  {"SC_EVENT_REG[2]", "CLASS is empty"}},
        ErrorCase{"EventRegUnknownAttribute",
                  kReg,
                  regWith("<SC_EVENT_REG CLASS=\"A\" B=\"\"/>"),
                  K::Invalid,
                  {"unknown attribute B", "CLASS, SUBCLASS"}},
        ErrorCase{"UnknownChildOfRegistration",
                  kReg,
                  regWith("<SC_EVENT CLASS=\"A\"/>"),
                  K::Invalid,
                  {"SC_CALLBACK_REG/SC_EVENT[1]", "unknown element"}},
        ErrorCase{"TextInRegistration",
                  kReg,
                  regWith("hello"),
                  K::Invalid,
                  {"unexpected text \"hello\""}},
        ErrorCase{
            "CdataInRegistration", kReg, regWith("<![CDATA[ ]]>"), K::Invalid, {"unexpected text"}},
        ErrorCase{"UnknownChildOfEventReg",
                  kReg,
                  regWith("<SC_EVENT_REG CLASS=\"A\"><VALUE>x</VALUE></SC_EVENT_REG>"),
                  K::Invalid,
                  {"SC_EVENT_REG[1]/VALUE[1]", "NVPAIR"}},
        ErrorCase{"PairWithoutName",
                  kReg,
                  regWithPair("<NVPAIR><VALUE>x</VALUE></NVPAIR>"),
                  K::Invalid,
                  {"NVPAIR[1]", "NAME"}},
        ErrorCase{"EmptyPair", kReg, regWithPair("<NVPAIR/>"), K::Invalid, {"NAME"}},
        ErrorCase{"PairWithoutValue",
                  kReg,
                  regWithPair("<NVPAIR><NAME>rg_name</NAME></NVPAIR>"),
                  K::Invalid,
                  {"\"rg_name\"", "no VALUE"}},
        ErrorCase{"PairWithTwoNames",
                  kReg,
                  regWithPair("<NVPAIR><NAME>a</NAME><NAME>b</NAME><VALUE>x</VALUE></NVPAIR>"),
                  K::Invalid,
                  {"NAME[2]", "exactly one NAME"}},
        ErrorCase{"PairValueBeforeName",
                  kReg,
                  regWithPair("<NVPAIR><VALUE>x</VALUE><NAME>a</NAME></NVPAIR>"),
                  K::Invalid,
                  {"start with one NAME"}},
        ErrorCase{"PairEmptyName",
                  kReg,
                  regWithPair("<NVPAIR><NAME></NAME><VALUE>x</VALUE></NVPAIR>"),
                  K::Invalid,
                  {"NAME is empty"}},
        ErrorCase{"PairUnknownChild",
                  kReg,
                  regWithPair("<NVPAIR><NAME>a</NAME><VALUE>x</VALUE><TYPE>s</TYPE></NVPAIR>"),
                  K::Invalid,
                  {"NVPAIR[1]/TYPE[1]", "unknown element"}},
        ErrorCase{"ElementInsideValue",
                  kReg,
                  regWithPair("<NVPAIR><NAME>a</NAME><VALUE>x<b/></VALUE></NVPAIR>"),
                  K::Invalid,
                  {"VALUE[1]", "unexpected element <b>"}},
        ErrorCase{"AttributeOnValue",
                  kReg,
                  regWithPair("<NVPAIR><NAME>a</NAME><VALUE T=\"s\">x</VALUE></NVPAIR>"),
                  K::Invalid,
                  {"VALUE[1]", "unknown attribute T"}},
        ErrorCase{"AttributeOnPair",
                  kReg,
                  regWithPair("<NVPAIR N=\"a\"><NAME>a</NAME><VALUE>x</VALUE></NVPAIR>"),
                  K::Invalid,
                  {"NVPAIR[1]", "unknown attribute N"}},
        ErrorCase{"ReplyWithoutMessage",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"OK\"/>",
                  K::Invalid,
                  {"0 SC_STATUS_MSG", "exactly one"}},
        ErrorCase{"ReplyWithTwoMessages",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"OK\"><SC_STATUS_MSG/><SC_STATUS_MSG/></SC_REPLY>",
                  K::Invalid,
                  {"2 SC_STATUS_MSG"}},
        ErrorCase{"ReplyUnknownChild",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"OK\"><SC_STATUS_MSG/><X/></SC_REPLY>",
                  K::Invalid,
                  {"SC_REPLY/X[1]"}},
        ErrorCase{"ReplyUnknownCode",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"GREAT\"><SC_STATUS_MSG/></SC_REPLY>",
                  K::Invalid,
                  {"STATUS_CODE=\"GREAT\""}},
        ErrorCase{"ReplyLowerCaseCode",
                  kReply,
                  "<SC_REPLY STATUS_CODE=\"ok\"><SC_STATUS_MSG/></SC_REPLY>",
                  K::Invalid,
                  {"STATUS_CODE=\"ok\""}},
        ErrorCase{"ReplyMissingCode",
                  kReply,
                  "<SC_REPLY><SC_STATUS_MSG/></SC_REPLY>",
                  K::Invalid,
                  {"STATUS_CODE", "missing"}},
        ErrorCase{"ReplyMessageWithElement",
                  kReply,
                  test::replyWithMessage("<b>x</b>"),
                  K::Invalid,
                  {"SC_STATUS_MSG[1]", "<b>"}},
        ErrorCase{"EventMissingVendor",
                  kEvent,
                  "<SC_EVENT CLASS=\"C\" SUBCLASS=\"S\" PUBLISHER=\"rgm\"/>",
                  K::Invalid,
                  {"VENDOR", "missing"}},
        ErrorCase{"EventMissingPublisher",
                  kEvent,
                  "<SC_EVENT CLASS=\"C\" SUBCLASS=\"S\" VENDOR=\"SUNW\"/>",
                  K::Invalid,
                  {"PUBLISHER", "missing"}},
        ErrorCase{"EventMissingSubclass",
                  kEvent,
                  "<SC_EVENT CLASS=\"C\" VENDOR=\"SUNW\" PUBLISHER=\"rgm\"/>",
                  K::Invalid,
                  {"SUBCLASS", "missing"}},
        ErrorCase{"EventMissingClass",
                  kEvent,
                  "<SC_EVENT SUBCLASS=\"S\" VENDOR=\"SUNW\" PUBLISHER=\"rgm\"/>",
                  K::Invalid,
                  {"CLASS", "missing"}},
        ErrorCase{"EventEmptyClass",
                  kEvent,
                  "<SC_EVENT CLASS=\"\" SUBCLASS=\"S\" VENDOR=\"SUNW\" PUBLISHER=\"rgm\"/>",
                  K::Invalid,
                  {"CLASS is empty"}},
        ErrorCase{"EventUnknownAttribute",
                  kEvent,
                  "<SC_EVENT CLASS=\"C\" SUBCLASS=\"\" VENDOR=\"\" PUBLISHER=\"\" TS=\"1\"/>",
                  K::Invalid,
                  {"unknown attribute TS"}},
        ErrorCase{"EventUnknownChild",
                  kEvent,
                  test::eventWithPairs("<NVPAIRS/>"),
                  K::Invalid,
                  {"SC_EVENT/NVPAIRS[1]"}},
        ErrorCase{"EventPairWithoutValue",
                  kEvent,
                  test::eventWithPairs("<NVPAIR><NAME>a</NAME></NVPAIR><NVPAIR><NAME>b</NAME>"
                                       "</NVPAIR>"),
                  K::Invalid,
                  {"SC_EVENT/NVPAIR[1]", "\"a\""}}),
    test::ByName());

std::string replyVersion(std::string_view version, std::string_view rest = "") {
  return "<SC_REPLY VERSION=\"" + std::string(version) + "\" STATUS_CODE=\"OK\"" +
         std::string(rest) + "><SC_STATUS_MSG/></SC_REPLY>";
}

INSTANTIATE_TEST_SUITE_P(
    CodecVersion, CodecErrors,
    testing::Values(
        ErrorCase{"High", kReply, replyVersion("2.0"), K::VersionTooHigh, {"VERSION=\"2.0\""}},
        ErrorCase{"HighMinor", kReply, replyVersion("1.1"), K::VersionTooHigh, {"\"1.1\""}},
        ErrorCase{"HighTrailingDigit", kReply, replyVersion("1.01"), K::VersionTooHigh, {}},
        ErrorCase{"HighTen", kReply, replyVersion("10"), K::VersionTooHigh, {}},
        ErrorCase{
            "HighHuge", kReply, replyVersion("99999999999999999999999.0"), K::VersionTooHigh, {}},
        ErrorCase{"HighWinsOverInvalid",
                  kReply,
                  replyVersion("2.0", " NEW=\"x\""),
                  K::VersionTooHigh,
                  {}},
        ErrorCase{"HighRegistration",
                  kReg,
                  reg("VERSION=\"3\" PORT=\"1\" regType=\"ADD_CLIENT\""),
                  K::VersionTooHigh,
                  {"SC_CALLBACK_REG"}},
        ErrorCase{"HighEvent", kEvent, "<SC_EVENT VERSION=\"1.5\"/>", K::VersionTooHigh, {}},
        ErrorCase{"Low", kReply, replyVersion("0.9"), K::VersionTooLow, {"VERSION=\"0.9\""}},
        ErrorCase{"LowZero", kReply, replyVersion("0"), K::VersionTooLow, {}},
        ErrorCase{"LowZeros", kReply, replyVersion("00.00"), K::VersionTooLow, {}},
        ErrorCase{"LowRegistration",
                  kReg,
                  reg("VERSION=\"0.1\" PORT=\"1\" regType=\"ADD_CLIENT\""),
                  K::VersionTooLow,
                  {}},
        ErrorCase{"NonNumeric",
                  kReply,
                  replyVersion("abc"),
                  K::Invalid,
                  {"VERSION=\"abc\"", "decimal number"}},
        ErrorCase{"Empty", kReply, replyVersion(""), K::Invalid, {"VERSION=\"\""}},
        ErrorCase{"TrailingDot", kReply, replyVersion("1."), K::Invalid, {}},
        ErrorCase{"LeadingDot", kReply, replyVersion(".5"), K::Invalid, {}},
        ErrorCase{"TwoDots", kReply, replyVersion("1.0.0"), K::Invalid, {}},
        ErrorCase{"Prefixed", kReply, replyVersion("v1"), K::Invalid, {}},
        ErrorCase{"Spaces", kReply, replyVersion(" 1.0"), K::Invalid, {}},
        ErrorCase{"Signed", kReply, replyVersion("+1.0"), K::Invalid, {}},
        ErrorCase{"Exponent", kReply, replyVersion("1e0"), K::Invalid, {}}),
    test::ByName());

TEST(CodecErrors, ReplyCodeOfEveryKind) {
  EXPECT_EQ((ParseError{K::Malformed, ""}.replyCode()), StatusCode::Malformed);
  EXPECT_EQ((ParseError{K::Invalid, ""}.replyCode()), StatusCode::Invalid);
  EXPECT_EQ((ParseError{K::VersionTooHigh, ""}.replyCode()), StatusCode::VersionTooHigh);
  EXPECT_EQ((ParseError{K::VersionTooLow, ""}.replyCode()), StatusCode::VersionTooLow);
}

TEST(CodecErrors, LongValuesAreShortenedInMessages) {
  std::string port(10000, '7');
  auto parsed = parseRegistration(reg("PORT=\"" + port + "\" regType=\"ADD_CLIENT\""));
  ASSERT_FALSE(parsed);
  EXPECT_LT(parsed.error().message.size(), 300u);
  EXPECT_NE(parsed.error().message.find("...\""), std::string::npos);
}

}  // namespace
}  // namespace crnp
