// Conformance of the simulated cl_apid's registration server (protocol sections 2, 4, 6, 7b),
// driven over loopback by an independent raw-XML client (tests/support/crnp_test_client.hpp).
#include <gtest/gtest.h>

#include "crnp_test_client.hpp"
#include "server_test_harness.hpp"

namespace crnp::sim {
namespace {

using namespace crnp_test;
using testing::ServerHarness;
using testing::testConfig;

/// Expects a complete reply with `code`, a message for a human, and the server's close.
void expectReply(const Exchange& reply, const std::string& code) {
  ASSERT_TRUE(reply.connected);
  EXPECT_EQ(reply.statusCode(), code) << reply.bytes;
  EXPECT_FALSE(reply.statusMessage().empty()) << reply.bytes;
  EXPECT_TRUE(reply.closedByPeer) << "the server must close after its reply";
  EXPECT_FALSE(reply.timedOut);
  EXPECT_EQ(countOf(reply.bytes, "<SC_REPLY"), 1u);
}

class RegistrationTest : public ::testing::Test {
 protected:
  explicit RegistrationTest(ServerConfig config = testConfig()) : harness_(std::move(config)) {}
  void SetUp() override { ASSERT_FALSE(harness_.start()); }
  Exchange send(const std::string& request, const std::string& source = "127.0.0.1") {
    return exchange(harness_.port(), request, source);
  }
  ServerHarness harness_;
};

TEST_F(RegistrationTest, AddClientIsAnsweredOkWhileTheClientKeepsItsSideOpen) {
  // exchange() never half-closes: the reply must come when the root element closes.
  const auto reply = send(registration(7001, "ADD_CLIENT", subscribeMembership()));
  expectReply(reply, "OK");
  EXPECT_NE(reply.bytes.find("VERSION=\"1.0\""), std::string::npos);
  const auto client = harness_.client(7001);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->callback.address().to_string(), "127.0.0.1");
  ASSERT_EQ(client->types.size(), 1u);
  EXPECT_EQ(client->types[0].subclass, "ESC_cluster_membership");
  EXPECT_EQ(harness_.server().stats().repliesByCode[static_cast<int>(StatusCode::Ok)], 1u);
}

TEST_F(RegistrationTest, SampleClientRequestWithoutDeclarationIsAccepted) {
  const std::string request =
      "<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"7002\" regType=\"ADD_CLIENT\">\n"
      "  <SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_rg_state\">\n"
      "    <NVPAIR><NAME>rg_name</NAME><VALUE>oracle-rg</VALUE></NVPAIR>\n"
      "  </SC_EVENT_REG>\n"
      "</SC_CALLBACK_REG>";
  expectReply(send(request), "OK");
  ASSERT_NE(harness_.client(7002), nullptr);
}

TEST_F(RegistrationTest, GarbageIsMalformed) {
  expectReply(send("hello, this is not XML\r\n"), "MALFORMED");
  expectReply(send("<SC_CALLBACK_REG VERSION=\"1.0\" PORT=\"1\" regType=\"ADD_CLIENT\"></WRONG>"),
              "MALFORMED");
  EXPECT_TRUE(harness_.server().clients().empty());
}

TEST_F(RegistrationTest, TrailingDocumentOrBytesAreMalformed) {
  const auto one = registration(7003, "ADD_CLIENT", subscribeMembership());
  expectReply(send(one + one), "MALFORMED");
  expectReply(send(one + "junk"), "MALFORMED");
  EXPECT_TRUE(harness_.server().clients().empty());
  expectReply(send(one + "\r\n  "), "OK");  // whitespace after the document is fine
}

TEST_F(RegistrationTest, VersionsAreChecked) {
  expectReply(send(registration(7004, "ADD_CLIENT", "", "2.0")), "VERSION_TOO_HIGH");
  expectReply(send(registration(7004, "ADD_CLIENT", "", "0.9")), "VERSION_TOO_LOW");
  expectReply(send(registration(7004, "ADD_CLIENT", "", "one")), "INVALID");
  EXPECT_TRUE(harness_.server().clients().empty());
}

TEST_F(RegistrationTest, MessagesBeforeAddClientAreInvalid) {
  for (const char* type : {"ADD_EVENTS", "REMOVE_EVENTS", "REMOVE_CLIENT"}) {
    const auto reply = send(registration(7005, type, subscribeMembership()));
    expectReply(reply, "INVALID");
    EXPECT_NE(reply.statusMessage().find("ADD_CLIENT"), std::string::npos) << reply.bytes;
  }
}

TEST_F(RegistrationTest, BadSubscriptionFormsAndRegTypesAreInvalid) {
  const std::string groupWithoutName =
      "<SC_EVENT_REG CLASS=\"EC_Cluster\" SUBCLASS=\"ESC_cluster_rg_state\"/>";
  expectReply(send(registration(7006, "ADD_CLIENT", groupWithoutName)), "INVALID");
  expectReply(send(registration(7006, "JOIN", subscribeMembership())), "INVALID");
  expectReply(send("<SC_CALLBACK_REG VERSION=\"1.0\" regType=\"ADD_CLIENT\"/>"), "INVALID");
  EXPECT_TRUE(harness_.server().clients().empty());
  // ADD_EVENTS with a bad form is refused too, and changes nothing.
  expectReply(send(registration(7006, "ADD_CLIENT", subscribeMembership())), "OK");
  expectReply(send(registration(7006, "ADD_EVENTS", groupWithoutName)), "INVALID");
  EXPECT_EQ(harness_.client(7006)->types.size(), 1u);
}

TEST_F(RegistrationTest, SecondAddClientReplacesTheRegistration) {
  expectReply(send(registration(7007, "ADD_CLIENT", subscribeGroup("a") + subscribeGroup("b"))),
              "OK");
  EXPECT_EQ(harness_.client(7007)->types.size(), 2u);
  expectReply(send(registration(7007, "ADD_CLIENT", subscribeMembership())), "OK");
  const auto client = harness_.client(7007);
  ASSERT_EQ(client->types.size(), 1u);
  EXPECT_EQ(client->types[0].subclass, "ESC_cluster_membership");
  EXPECT_EQ(harness_.server().clients().size(), 1u);
}

TEST_F(RegistrationTest, AddingTwiceAndRemovingUnknownTypesAreOk) {
  expectReply(send(registration(7008, "ADD_CLIENT", subscribeMembership())), "OK");
  expectReply(send(registration(7008, "ADD_EVENTS", subscribeMembership())), "OK");
  expectReply(send(registration(7008, "REMOVE_EVENTS", subscribeGroup("never-added"))), "OK");
  EXPECT_EQ(harness_.client(7008)->types.size(), 1u);
  expectReply(send(registration(7008, "ADD_EVENTS", subscribeGroup("a"))), "OK");
  expectReply(send(registration(7008, "REMOVE_EVENTS", subscribeMembership())), "OK");
  const auto client = harness_.client(7008);
  ASSERT_EQ(client->types.size(), 1u);
  EXPECT_EQ(client->types[0].subclass, "ESC_cluster_rg_state");
  expectReply(send(registration(7008, "REMOVE_CLIENT")), "OK");
  EXPECT_EQ(harness_.client(7008), nullptr);
  expectReply(send(registration(7008, "REMOVE_CLIENT")), "INVALID");  // no longer registered
}

TEST_F(RegistrationTest, MessagesForAPortRegisteredFromAnotherAddressFail) {
  expectReply(send(registration(7009, "ADD_CLIENT", subscribeMembership())), "OK");
  for (const char* type : {"REMOVE_CLIENT", "ADD_EVENTS", "REMOVE_EVENTS"}) {
    expectReply(send(registration(7009, type, subscribeMembership()), "127.0.0.2"), "FAIL");
  }
  const auto client = harness_.client(7009);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->types.size(), 1u);
  // ADD_CLIENT from 127.0.0.2 is another client: callback 127.0.0.2:7009.
  expectReply(send(registration(7009, "ADD_CLIENT"), "127.0.0.2"), "OK");
  EXPECT_EQ(harness_.server().clients().size(), 2u);
}

TEST_F(RegistrationTest, FaultsAnswerRetryAndSystemErrorWithoutChangingState) {
  harness_.server().faults().inject({FaultKind::ReplyCode, 1, StatusCode::Retry, {}});
  expectReply(send(registration(7010, "ADD_CLIENT")), "RETRY");
  harness_.server().faults().inject({FaultKind::ReplyCode, 1, StatusCode::SystemError, {}});
  expectReply(send(registration(7010, "ADD_CLIENT")), "SYSTEM_ERROR");
  EXPECT_TRUE(harness_.server().clients().empty());
  expectReply(send(registration(7010, "ADD_CLIENT")), "OK");  // the faults were used up
  EXPECT_EQ(harness_.server().clients().size(), 1u);
}

TEST_F(RegistrationTest, DroppedReplyStillRegisters) {
  harness_.server().faults().inject({FaultKind::DropReply, 1, StatusCode::Ok, {}});
  const auto reply = send(registration(7011, "ADD_CLIENT"));
  EXPECT_TRUE(reply.bytes.empty()) << reply.bytes;
  EXPECT_TRUE(reply.closedByPeer || reply.reset);
  EXPECT_NE(harness_.client(7011), nullptr);
}

TEST_F(RegistrationTest, DelayedReplyArrivesAfterTheDelay) {
  const std::chrono::milliseconds delay(300);
  harness_.server().faults().inject({FaultKind::DelayReply, 1, StatusCode::Ok, delay});
  const auto started = Clock::now();
  expectReply(send(registration(7012, "ADD_CLIENT")), "OK");
  EXPECT_GE(Clock::now() - started, delay);
}

TEST_F(RegistrationTest, ClientThatClosesBeforeTheReplyIsStillRegistered) {
  harness_.server().faults().inject(
      {FaultKind::DelayReply, 1, StatusCode::Ok, std::chrono::milliseconds(200)});
  {
    Fd fd = connectTo(harness_.port());
    ASSERT_TRUE(fd.valid());
    ASSERT_TRUE(sendAll(fd.get(), registration(7013, "ADD_CLIENT", subscribeMembership())));
  }  // closed at once, before any reply
  EXPECT_TRUE(waitUntil([&] { return harness_.client(7013) != nullptr; }));
  // The server is fine afterwards.
  expectReply(send(registration(7014, "ADD_CLIENT")), "OK");
}

class MaxClientsTest : public RegistrationTest {
 protected:
  static ServerConfig config() {
    auto c = testConfig();
    c.maxClients = 2;
    return c;
  }
  MaxClientsTest() : RegistrationTest(config()) {}
};

TEST_F(MaxClientsTest, NewClientOverMaxClientsGetsLowResource) {
  expectReply(send(registration(7101, "ADD_CLIENT")), "OK");
  expectReply(send(registration(7102, "ADD_CLIENT")), "OK");
  const auto reply = send(registration(7103, "ADD_CLIENT"));
  expectReply(reply, "LOW_RESOURCE");
  EXPECT_NE(reply.statusMessage().find("Max_clients"), std::string::npos);
  expectReply(send(registration(7102, "ADD_CLIENT", subscribeMembership())), "OK");  // replace
  expectReply(send(registration(7101, "REMOVE_CLIENT")), "OK");
  expectReply(send(registration(7103, "ADD_CLIENT")), "OK");  // room again
}

class AllowHostsTest : public RegistrationTest {
 protected:
  static ServerConfig config() {
    auto c = testConfig();
    c.allowHosts = "127.0.0.1/32";
    return c;
  }
  AllowHostsTest() : RegistrationTest(config()) {}
};

TEST_F(AllowHostsTest, SourceOutsideAllowHostsFails) {
  const auto reply = send(registration(7201, "ADD_CLIENT"), "127.0.0.2");
  expectReply(reply, "FAIL");
  EXPECT_NE(reply.statusMessage().find("Allow_hosts"), std::string::npos);
  expectReply(send("garbage from a stranger", "127.0.0.2"), "FAIL");  // authorization first
  EXPECT_TRUE(harness_.server().clients().empty());
  expectReply(send(registration(7201, "ADD_CLIENT"), "127.0.0.1"), "OK");
}

class DenyHostsTest : public RegistrationTest {
 protected:
  static ServerConfig config() {
    auto c = testConfig();
    c.allowHosts = "127.0.0.0/8";
    c.denyHosts = "127.0.0.2/32";
    return c;
  }
  DenyHostsTest() : RegistrationTest(config()) {}
};

TEST_F(DenyHostsTest, DenyWinsOverAllow) {
  const auto reply = send(registration(7301, "ADD_CLIENT"), "127.0.0.2");
  expectReply(reply, "FAIL");
  EXPECT_NE(reply.statusMessage().find("Deny_hosts"), std::string::npos);
  expectReply(send(registration(7301, "ADD_CLIENT"), "127.0.0.1"), "OK");
}

TEST(RegistrationConfig, BadAccessSpecsAreReportedByStart) {
  auto config = testConfig();
  config.allowHosts = "127.0.0.1/99";
  ServerHarness harness(config);
  EXPECT_EQ(harness.start(), std::make_error_code(std::errc::invalid_argument));
}

}  // namespace
}  // namespace crnp::sim
