// Every message form survives write -> parse unchanged.
#include <gtest/gtest.h>

#include "codec_samples.hpp"
#include "crnp/codec.hpp"

namespace crnp {
namespace {

// Text that exercises every escaping path: markup, CDATA terminators, line ends, tab,
// whitespace only, non-ASCII.
const std::vector<std::string> kAwkwardTexts = {
    "",       " ",         "\t\n",      "a]]>b",  "]]>",       "]]]]>>",
    "x\r\ny", "\r",        "\r\r\n\n",  "<&>\"'", "&amp;&#0;", "caf\xC3\xA9 \xF0\x9F\x98\x80",
    "  lead", "trail  \n", "<![CDATA[", "-->",    "&xxe;",     "\xEF\xBF\xBD"};

void expectRegistrationRoundTrip(const Registration& r) {
  auto parsed = parseRegistration(writeRegistration(r));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed.value(), r);
}

TEST(CodecRoundTrip, RegistrationEveryRegType) {
  for (RegType type :
       {RegType::AddClient, RegType::AddEvents, RegType::RemoveEvents, RegType::RemoveClient}) {
    SCOPED_TRACE(toString(type));
    expectRegistrationRoundTrip(test::sampleRegistration(type));
    Registration bare;
    bare.type = type;
    bare.port = 1;
    expectRegistrationRoundTrip(bare);
  }
}

TEST(CodecRoundTrip, RegistrationPortRange) {
  for (std::uint16_t port : {1, 9, 10, 8888, 9444, 65535}) {
    Registration r = test::sampleRegistration();
    r.port = port;
    expectRegistrationRoundTrip(r);
  }
}

TEST(CodecRoundTrip, RegistrationArraysAndSeveralPairs) {
  Registration r;
  r.port = 4242;
  r.type = RegType::AddEvents;
  r.events = {{"EC_Other", "ESC_x", {{"a", {"1", "2", "3"}}, {"b", {""}}, {"a", {"x"}}}}};
  expectRegistrationRoundTrip(r);
}

TEST(CodecRoundTrip, AwkwardTextEverywhere) {
  for (const std::string& text : kAwkwardTexts) {
    SCOPED_TRACE(testing::PrintToString(text));
    Registration r;
    r.port = 80;
    std::string name = text.empty() ? "n" : text;  // NAME must not be empty
    std::string eventClass = text.empty() ? "C" : text;
    r.events = {{eventClass, text, {{name, {text, text}}}}};
    expectRegistrationRoundTrip(r);

    Reply reply{"1.0", StatusCode::Fail, text};
    auto parsedReply = parseReply(writeReply(reply));
    ASSERT_TRUE(parsedReply) << parsedReply.error().message;
    EXPECT_EQ(parsedReply.value(), reply);

    Event e = test::sampleEvent();
    e.eventClass = eventClass;
    e.subclass = e.vendor = e.publisher = text;
    e.nvpairs.push_back({name, {text}});
    auto parsedEvent = parseEvent(writeEvent(e));
    ASSERT_TRUE(parsedEvent) << parsedEvent.error().message;
    EXPECT_EQ(parsedEvent.value(), e);
  }
}

TEST(CodecRoundTrip, ReplyEveryCode) {
  for (StatusCode code : kAllStatusCodes) {
    Reply reply{"1.0", code, std::string("message for ") + std::string(toString(code))};
    auto parsed = parseReply(writeReply(reply));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed.value(), reply);
  }
}

TEST(CodecRoundTrip, EventForms) {
  Event membership = test::sampleEvent();
  membership.subclass = "ESC_cluster_membership";
  membership.vendor = "ORCL";
  membership.nvpairs = {{"node_list", {"n1"}}, {"state_list", {"-1"}}};
  Event noPairs = membership;
  noPairs.nvpairs.clear();
  Event emptySubclass = noPairs;
  emptySubclass.subclass.clear();
  for (const Event& e : {test::sampleEvent(), membership, noPairs, emptySubclass}) {
    auto parsed = parseEvent(writeEvent(e));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed.value(), e);
  }
}

}  // namespace
}  // namespace crnp
