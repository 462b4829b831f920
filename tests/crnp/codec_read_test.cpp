// What the readers accept: the published examples, aliases, versions, every way to write text.
#include <gtest/gtest.h>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

Registration parseRegistrationOk(std::string_view document) {
  auto parsed = parseRegistration(document);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? parsed.value() : Registration{};
}

Reply parseReplyOk(std::string_view document) {
  auto parsed = parseReply(document);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? parsed.value() : Reply{};
}

Event parseEventOk(std::string_view document) {
  auto parsed = parseEvent(document);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? parsed.value() : Event{};
}

TEST(CodecRead, ProtocolExampleExchange) {
  Registration r =
      parseRegistrationOk(R"(<SC_CALLBACK_REG VERSION="1.0" PORT="8888" regType="ADD_CLIENT">
  <SC_EVENT_REG CLASS="EC_Cluster" SUBCLASS="ESC_cluster_membership"/>
  <SC_EVENT_REG CLASS="EC_Cluster" SUBCLASS="ESC_cluster_rg_state">
    <NVPAIR><NAME><![CDATA[rg_name]]></NAME><VALUE><![CDATA[oracle-rg]]></VALUE></NVPAIR>
  </SC_EVENT_REG>
</SC_CALLBACK_REG>
)");
  Registration expected;
  expected.port = 8888;
  expected.events = {{"EC_Cluster", "ESC_cluster_membership", {}},
                     {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {"oracle-rg"}}}}};
  EXPECT_EQ(r, expected);

  Reply reply = parseReplyOk(
      R"(<SC_REPLY VERSION="1.0" STATUS_CODE="OK"><SC_STATUS_MSG><![CDATA[registered]]></SC_STATUS_MSG></SC_REPLY>)");
  EXPECT_EQ(reply, (Reply{"1.0", StatusCode::Ok, "registered"}));

  Event e = parseEventOk(
      R"(<SC_EVENT VERSION="1.0" CLASS="EC_Cluster" SUBCLASS="ESC_cluster_membership" VENDOR="SUNW" PUBLISHER="rgm">
  <NVPAIR><NAME>node_list</NAME><VALUE>phys-node-1</VALUE><VALUE>phys-node-2</VALUE></NVPAIR>
  <NVPAIR><NAME>state_list</NAME><VALUE>3</VALUE><VALUE>-1</VALUE></NVPAIR>
</SC_EVENT>)");
  EXPECT_EQ(e.eventClass, "EC_Cluster");
  EXPECT_EQ(e.subclass, "ESC_cluster_membership");
  EXPECT_EQ(e.vendor, "SUNW");
  EXPECT_EQ(e.publisher, "rgm");
  EXPECT_EQ(e.nvpairs, (std::vector<NvPair>{{"node_list", {"phys-node-1", "phys-node-2"}},
                                            {"state_list", {"3", "-1"}}}));
}

TEST(CodecRead, RegTypeAliasAndEverySpelling) {
  for (RegType type :
       {RegType::AddClient, RegType::AddEvents, RegType::RemoveEvents, RegType::RemoveClient}) {
    for (std::string attribute : {"regType", "REG_TYPE"}) {
      std::string document = "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"9\" " + attribute + "=\"" +
                             std::string(toString(type)) + "\"/>";
      EXPECT_EQ(parseRegistrationOk(document).type, type) << document;
    }
  }
}

TEST(CodecRead, RemoveClientMayCarryEvents) {
  Registration r = parseRegistrationOk(
      R"(<SC_CALLBACK_REG PORT="9" regType="REMOVE_CLIENT"><SC_EVENT_REG CLASS="EC_Cluster"/></SC_CALLBACK_REG>)");
  EXPECT_EQ(r.type, RegType::RemoveClient);
  EXPECT_EQ(r.events.size(), 1u);
}

TEST(CodecRead, PortIsDecimalDigits) {
  for (auto [text, port] : std::vector<std::pair<std::string, int>>{
           {"1", 1}, {"8888", 8888}, {"65535", 65535}, {"08888", 8888}}) {
    EXPECT_EQ(
        parseRegistrationOk("<SC_CALLBACK_REG PORT=\"" + text + "\" regType=\"ADD_CLIENT\"/>").port,
        port);
  }
}

TEST(CodecRead, StatusCodeSpellingsAndAliases) {
  for (StatusCode code : kAllStatusCodes) {
    std::string document = "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"" +
                           std::string(toString(code)) + "\"><SC_STATUS_MSG/></SC_REPLY>";
    EXPECT_EQ(parseReplyOk(document).code, code);
  }
  EXPECT_EQ(
      parseReplyOk(R"(<SC_REPLY STATUS_CODE="LOW_RESOURCES"><SC_STATUS_MSG/></SC_REPLY>)").code,
      StatusCode::LowResource);
  EXPECT_EQ(parseReplyOk(R"(<SC_REPLY STATUS_CODE="INVALID_XML"><SC_STATUS_MSG/></SC_REPLY>)").code,
            StatusCode::Invalid);
}

TEST(CodecRead, VersionsEqualToOneAreAccepted) {
  for (std::string version : {"1.0", "1", "1.00", "01.0", "001"}) {
    Reply reply = parseReplyOk("<SC_REPLY VERSION=\"" + version +
                               "\" STATUS_CODE=\"OK\"><SC_STATUS_MSG/></SC_REPLY>");
    EXPECT_EQ(reply.version, version);
  }
  EXPECT_EQ(parseReplyOk(R"(<SC_REPLY STATUS_CODE="OK"><SC_STATUS_MSG/></SC_REPLY>)").version,
            "1.0");
  EXPECT_EQ(parseRegistrationOk(R"(<SC_CALLBACK_REG PORT="1" regType="ADD_CLIENT"/>)").version,
            "1.0");
  EXPECT_EQ(parseEventOk(R"(<SC_EVENT CLASS="C" SUBCLASS="" VENDOR="" PUBLISHER=""/>)").version,
            "1.0");
}

struct TextCase {
  const char* name;
  const char* content;  // of SC_STATUS_MSG
  std::string value;
};

void PrintTo(const TextCase& c, std::ostream* os) { *os << c.name; }

class CodecReadText : public testing::TestWithParam<TextCase> {};

TEST_P(CodecReadText, ConcatenatesTextAndCdata) {
  EXPECT_EQ(parseReplyOk(test::replyWithMessage(GetParam().content)).message, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(
    Codec, CodecReadText,
    testing::Values(TextCase{"Empty", "", ""}, TextCase{"Plain", "hello", "hello"},
                    TextCase{"Cdata", "<![CDATA[<a> & b]]>", "<a> & b"},
                    TextCase{"Escaped", "&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;",
                             "<a> & \"b\" 'c'"},
                    TextCase{"CharacterReferences", "&#65;&#x42;&#x00043;&#233;&#x1F600;",
                             "ABC\xC3\xA9\xF0\x9F\x98\x80"},
                    TextCase{"Mixed", " a <![CDATA[<b>]]> &amp; <![CDATA[]]]]><![CDATA[>]]>c ",
                             " a <b> & ]]>c "},
                    TextCase{"WhitespaceOnly", "  \t ", "  \t "},
                    TextCase{"CdataWhitespace", "<![CDATA[ ]]>", " "},
                    TextCase{"CrLfInText", "a\r\nb\rc", "a\nb\nc"},
                    TextCase{"CrLfInCdata", "<![CDATA[a\r\nb\rc]]>", "a\nb\nc"},
                    TextCase{"CarriageReturnReference", "a&#13;&#10;b", "a\r\nb"},
                    TextCase{"CommentsAndPisIgnored", "a<!-- note -->b<?pi x?>c", "abc"},
                    TextCase{"EntityLookalikeInCdata", "<![CDATA[&xxe; &#0;]]>", "&xxe; &#0;"},
                    TextCase{"Utf8", "caf\xC3\xA9", "caf\xC3\xA9"}),
    test::ByName());

TEST(CodecRead, NameAndValueTextForms) {
  Event e = parseEventOk(test::eventWithPairs(
      "<NVPAIR><NAME>rg&#95;name</NAME><VALUE><![CDATA[a]]>&amp;<![CDATA[b]]></VALUE>"
      "<VALUE></VALUE><VALUE/><VALUE> </VALUE></NVPAIR>"));
  ASSERT_EQ(e.nvpairs.size(), 1u);
  EXPECT_EQ(e.nvpairs[0], (NvPair{"rg_name", {"a&b", "", "", " "}}));
}

TEST(CodecRead, AttributeValues) {
  Event e = parseEventOk(
      "<SC_EVENT CLASS='a&amp;b&lt;&gt;&quot;' SUBCLASS=\"it's\" VENDOR=\"t\tn\nr\r\nx\" "
      "PUBLISHER=\"&#9;&#10;&#13;\"/>");
  EXPECT_EQ(e.eventClass, "a&b<>\"");
  EXPECT_EQ(e.subclass, "it's");
  EXPECT_EQ(e.vendor, "t n r x");    // literal whitespace is normalised to spaces, CRLF to one
  EXPECT_EQ(e.publisher, "\t\n\r");  // character references are not
}

TEST(CodecRead, EmptySubclassInRegistrationIsAbsent) {
  Registration r = parseRegistrationOk(
      R"(<SC_CALLBACK_REG PORT="1" regType="ADD_EVENTS"><SC_EVENT_REG CLASS="EC_Cluster" SUBCLASS=""/></SC_CALLBACK_REG>)");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0], (EventType{"EC_Cluster", "", {}}));
}

TEST(CodecRead, DeclarationCommentsPisAndSurroundingWhitespace) {
  Reply reply = parseReplyOk(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- before -->\n<?app data?>\n"
      "<SC_REPLY STATUS_CODE = 'RETRY' >\n  <!-- inside -->\n  "
      "<SC_STATUS_MSG>later</SC_STATUS_MSG>\n"
      "  <?pi?>\n</SC_REPLY >\n\t\r\n ");
  EXPECT_EQ(reply, (Reply{"1.0", StatusCode::Retry, "later"}));
}

}  // namespace
}  // namespace crnp
