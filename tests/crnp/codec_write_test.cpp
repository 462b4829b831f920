// The exact bytes the writers produce.
#include <gtest/gtest.h>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

using test::kDeclaration;

std::string withoutDeclaration(const std::string& document) {
  EXPECT_EQ(document.substr(0, kDeclaration.size()), kDeclaration);
  return document.substr(kDeclaration.size());
}

TEST(CodecWrite, RegistrationWithEveryEventForm) {
  EXPECT_EQ(withoutDeclaration(writeRegistration(test::sampleRegistration())),
            "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"8888\" regType=\"ADD_CLIENT\">"
            "<SC_EVENT_REG CLASS=\"EC_Cluster\"/>"
            "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_membership\"/>"
            "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_rg_state\">"
            "<NVPAIR><NAME><![CDATA[rg_name]]></NAME><VALUE><![CDATA[oracle-rg]]></VALUE></NVPAIR>"
            "</SC_EVENT_REG>"
            "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_r_state\">"
            "<NVPAIR><NAME><![CDATA[r_name]]></NAME><VALUE><![CDATA[oracle-rs]]></VALUE></NVPAIR>"
            "</SC_EVENT_REG>"
            "</SC_CALLBACK_REG>");
}

struct RegTypeCase {
  RegType type;
  const char* spelling;
};

void PrintTo(const RegTypeCase& c, std::ostream* os) { *os << c.spelling; }

class CodecWriteRegType : public testing::TestWithParam<RegTypeCase> {};

TEST_P(CodecWriteRegType, EmitsPortDigitsAndRegType) {
  Registration r;
  r.port = 65535;
  r.type = GetParam().type;
  EXPECT_EQ(withoutDeclaration(writeRegistration(r)),
            std::string("<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"65535\" regType=\"") +
                GetParam().spelling + "\"/>");
}

INSTANTIATE_TEST_SUITE_P(Codec, CodecWriteRegType,
                         testing::Values(RegTypeCase{RegType::AddClient, "ADD_CLIENT"},
                                         RegTypeCase{RegType::AddEvents, "ADD_EVENTS"},
                                         RegTypeCase{RegType::RemoveEvents, "REMOVE_EVENTS"},
                                         RegTypeCase{RegType::RemoveClient, "REMOVE_CLIENT"}));

TEST(CodecWrite, ReplyForEveryCode) {
  for (StatusCode code : kAllStatusCodes) {
    Reply reply{"1.0", code, "done"};
    EXPECT_EQ(withoutDeclaration(writeReply(reply)),
              "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"" + std::string(toString(code)) +
                  "\"><SC_STATUS_MSG><![CDATA[done]]></SC_STATUS_MSG></SC_REPLY>");
  }
}

TEST(CodecWrite, Event) {
  Event e = test::sampleEvent();
  e.nvpairs.resize(2);
  EXPECT_EQ(withoutDeclaration(writeEvent(e)),
            "<SC_EVENT VERSION=\"1.0\" CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_rg_state\" "
            "VENDOR=\"SUNW\" PUBLISHER=\"rgm\">"
            "<NVPAIR><NAME><![CDATA[rg_name]]></NAME><VALUE><![CDATA[oracle-rg]]></VALUE></NVPAIR>"
            "<NVPAIR><NAME><![CDATA[node_list]]></NAME><VALUE><![CDATA[phys-node-1]]></VALUE>"
            "<VALUE><![CDATA[phys-node-2]]></VALUE></NVPAIR>"
            "</SC_EVENT>");
}

TEST(CodecWrite, EventWithoutPairsIsEmptyElement) {
  Event e = test::sampleEvent();
  e.nvpairs.clear();
  e.subclass.clear();  // SC_EVENT always carries SUBCLASS, even empty
  EXPECT_EQ(withoutDeclaration(writeEvent(e)),
            "<SC_EVENT VERSION=\"1.0\" CLASS=\"EC_Cluster\" SUBCLASS=\"\" VENDOR=\"SUNW\" "
            "PUBLISHER=\"rgm\"/>");
}

TEST(CodecWrite, VersionComesFromTheStruct) {
  Reply reply{"1.00", StatusCode::Ok, ""};
  EXPECT_NE(writeReply(reply).find("VERSION=\"1.00\""), std::string::npos);
  reply.version.clear();  // an empty version is written as the only one there is
  EXPECT_NE(writeReply(reply).find("VERSION=\"1.0\""), std::string::npos);
}

struct TextCase {
  const char* name;
  std::string text;
  std::string written;  // content of SC_STATUS_MSG
};

void PrintTo(const TextCase& c, std::ostream* os) { *os << c.name; }

class CodecWriteText : public testing::TestWithParam<TextCase> {};

TEST_P(CodecWriteText, UsesCdata) {
  std::string document = writeReply({"1.0", StatusCode::Ok, GetParam().text});
  EXPECT_EQ(withoutDeclaration(document),
            "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"OK\"><SC_STATUS_MSG>" + GetParam().written +
                "</SC_STATUS_MSG></SC_REPLY>");
}

INSTANTIATE_TEST_SUITE_P(
    Codec, CodecWriteText,
    testing::Values(TextCase{"Empty", "", "<![CDATA[]]>"},
                    TextCase{"Markup", "<a> & \"b\"", "<![CDATA[<a> & \"b\"]]>"},
                    TextCase{"CdataEnd", "x]]>y", "<![CDATA[x]]]]><![CDATA[>y]]>"},
                    TextCase{"OnlyCdataEnd", "]]>", "<![CDATA[]]]]><![CDATA[>]]>"},
                    TextCase{"TwoCdataEnds", "]]>]]>",
                             "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>"},
                    TextCase{"ExtraBracket", "]]]>", "<![CDATA[]]]]]><![CDATA[>]]>"},
                    TextCase{"CarriageReturn", "a\r\nb", "<![CDATA[a]]>&#13;<![CDATA[\nb]]>"},
                    TextCase{"OnlyCarriageReturn", "\r", "&#13;"},
                    TextCase{"Utf8", "caf\xC3\xA9", "<![CDATA[caf\xC3\xA9]]>"}),
    test::ByName());

TEST(CodecWrite, EscapesAttributeValues) {
  Registration r;
  r.port = 1;
  r.events = {{"A&B<C>\"D'\t\n\r", "", {}}};
  std::string document = writeRegistration(r);
  EXPECT_NE(document.find("CLASS=\"A&amp;B&lt;C&gt;&quot;D'&#9;&#10;&#13;\""), std::string::npos)
      << document;
}

TEST(CodecWrite, OneDocumentWithoutTrailingBytes) {
  for (const std::string& document :
       {writeRegistration(test::sampleRegistration()), writeReply({}), writeEvent({})}) {
    EXPECT_EQ(document.back(), '>');
    EXPECT_EQ(document.find(kDeclaration, 1), std::string::npos);
  }
}

}  // namespace
}  // namespace crnp
