// The registration client against fake servers on loopback: every outcome, every reply code.
#include "crnp/registration_client.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <thread>

#include "crnp/codec.hpp"
#include "loopback_peer.hpp"

namespace crnp {
namespace {

using boost::asio::ip::make_address;
using test::LoopbackServer;
using test::RawSocket;
using namespace std::chrono_literals;

Registration sampleRegistration() {
  Registration registration;
  registration.port = 8888;
  registration.type = RegType::AddClient;
  registration.events.push_back({"EC_Cluster", "ESC_cluster_membership", {}});
  registration.events.push_back(
      {"EC_Cluster", "ESC_cluster_rg_state", {NvPair{"rg_name", {"oracle-rg"}}}});
  return registration;
}

const std::string& sampleRequest() {
  static const std::string request = writeRegistration(sampleRegistration());
  return request;
}

ServerAddress loopback(std::uint16_t port) { return ServerAddress{"127.0.0.1", port}; }

RegistrationClientOptions fastOptions() {
  RegistrationClientOptions options;
  options.connectTimeout = 2000ms;
  options.replyTimeout = 2000ms;
  return options;
}

/// Runs one exchange to completion on a private io_context (with `threads` threads) and
/// checks that the handler ran exactly once and that no work was left behind.
RegistrationResult registerOnce(const ServerAddress& server,
                                const RegistrationClientOptions& options, int threads = 1) {
  boost::asio::io_context io;
  std::atomic<int> calls{0};
  RegistrationResult result;
  asyncRegister(io.get_executor(), server, sampleRegistration(), options,
                [&](RegistrationResult r) {
                  ++calls;
                  result = std::move(r);
                });
  std::thread second;
  if (threads > 1) second = std::thread([&] { io.run_for(test::kTestDeadline); });
  io.run_for(test::kTestDeadline);
  if (second.joinable()) second.join();
  EXPECT_TRUE(io.stopped()) << "operation still pending after the deadline";
  EXPECT_EQ(calls.load(), 1);
  return result;
}

/// A fake CRNP server: reads one request of the sample's size, records it, answers `reply`
/// and closes; then records whatever the client sent after the request (must be nothing).
class AnsweringServer {
 public:
  explicit AnsweringServer(std::string reply, const std::string& host = "127.0.0.1")
      : server_(
            [this, reply = std::move(reply)](RawSocket& connection) {
              auto request = connection.readExactly(sampleRequest().size());
              connection.sendAll(reply);
              connection.shutdownWrite();
              auto rest = connection.readToEnd();
              std::lock_guard lock(mutex_);
              requests_.push_back(request.data);
              trailing_.push_back(rest.data);
            },
            host) {}

  std::uint16_t port() const { return server_.port(); }
  LoopbackServer& server() { return server_; }
  std::string request(std::size_t i) {
    std::lock_guard lock(mutex_);
    return requests_.at(i);
  }
  std::string trailing(std::size_t i) {
    std::lock_guard lock(mutex_);
    return trailing_.at(i);
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::string> trailing_;
  LoopbackServer server_;  // last: its thread starts once the rest exists
};

TEST(RegistrationClientTest, EveryStatusCodeArrivesAsReplied) {
  for (StatusCode code : kAllStatusCodes) {
    SCOPED_TRACE(std::string(toString(code)));
    const Reply reply{"1.0", code, "message for " + std::string(toString(code))};
    AnsweringServer server(writeReply(reply));
    const auto result = registerOnce(loopback(server.port()), fastOptions(), 2);
    ASSERT_EQ(result.outcome, RegistrationOutcome::Replied) << result.detail;
    ASSERT_TRUE(result.reply);
    EXPECT_EQ(*result.reply, reply);
    EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(server.port()));
    ASSERT_TRUE(result.localAddress);
    EXPECT_EQ(*result.localAddress, make_address("127.0.0.1"));
    ASSERT_TRUE(server.server().waitServed(1));
    // Exactly one document, nothing after it, and the client closed once it had the reply.
    EXPECT_EQ(server.request(0), sampleRequest());
    EXPECT_EQ(server.trailing(0), "");
  }
}

TEST(RegistrationClientTest, ReplySplitIntoSmallWritesIsReassembled) {
  const std::string reply = writeReply({"1.0", StatusCode::Ok, "registered"});
  LoopbackServer server([&](RawSocket& connection) {
    connection.readExactly(sampleRequest().size());
    const int one = 1;
    ::setsockopt(connection.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (char c : reply) connection.sendAll(std::string_view(&c, 1));
  });
  const auto result = registerOnce(loopback(server.port()), fastOptions());
  ASSERT_EQ(result.outcome, RegistrationOutcome::Replied) << result.detail;
  EXPECT_EQ(result.reply->message, "registered");
}

TEST(RegistrationClientTest, ConnectionRefusedOnADeadPort) {
  const auto port = RawSocket::deadPort();
  const auto result = registerOnce(loopback(port), fastOptions());
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionRefused) << result.detail;
  EXPECT_FALSE(result.reply);
  EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(port));
}

TEST(RegistrationClientTest, ConnectTimeoutWhenTheAcceptQueueIsFull) {
  // Linux drops SYNs to a listener whose accept queue is full; with backlog 0 one
  // connection fills it, so the next connect never completes.
  RawSocket listener = RawSocket::listenOn("127.0.0.1", 0);
  RawSocket filler = RawSocket::connectTo("127.0.0.1", listener.localPort());
  std::vector<RawSocket> spares;
  for (int i = 0; i < 2; ++i) {
    RawSocket spare = RawSocket::tcp4();
    ::fcntl(spare.fd(), F_SETFL, O_NONBLOCK);
    const auto a = RawSocket::makeAddress("127.0.0.1", listener.localPort());
    ::connect(spare.fd(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
    spares.push_back(std::move(spare));
  }
  auto options = fastOptions();
  options.connectTimeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const auto result = registerOnce(loopback(listener.localPort()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectTimeout) << result.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(RegistrationClientTest, ReplyTimeoutWhenTheServerNeverAnswers) {
  std::atomic<bool> clientClosed{false};
  LoopbackServer server([&](RawSocket& connection) {
    connection.readExactly(sampleRequest().size());
    // Hold the connection without answering until the client gives up and closes it.
    clientClosed = connection.readToEnd().end == RawSocket::End::Eof;
  });
  auto options = fastOptions();
  options.replyTimeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const auto result = registerOnce(loopback(server.port()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::ReplyTimeout) << result.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ASSERT_TRUE(server.waitServed(1));
  EXPECT_TRUE(clientClosed);
}

TEST(RegistrationClientTest, ReplyTimeoutWhenAReplyStopsHalfway) {
  const std::string reply = writeReply({"1.0", StatusCode::Ok, "registered"});
  LoopbackServer server([&](RawSocket& connection) {
    connection.readExactly(sampleRequest().size());
    connection.sendAll(reply.substr(0, reply.size() / 2));
    connection.readToEnd();
  });
  auto options = fastOptions();
  options.replyTimeout = 200ms;
  const auto result = registerOnce(loopback(server.port()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::ReplyTimeout) << result.detail;
}

TEST(RegistrationClientTest, ConnectionResetByTheServer) {
  LoopbackServer server([&](RawSocket& connection) {
    connection.readExactly(sampleRequest().size());
    connection.setLingerZero();  // the server's close sends RST
  });
  const auto result = registerOnce(loopback(server.port()), fastOptions());
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionReset) << result.detail;
  EXPECT_FALSE(result.reply);
}

TEST(RegistrationClientTest, EndOfStreamWithoutAnyByteIsAReset) {
  LoopbackServer server(
      [&](RawSocket& connection) { connection.readExactly(sampleRequest().size()); });
  const auto result = registerOnce(loopback(server.port()), fastOptions());
  EXPECT_EQ(result.outcome, RegistrationOutcome::ConnectionReset) << result.detail;
  EXPECT_NE(result.detail.find("without a reply"), std::string::npos) << result.detail;
}

TEST(RegistrationClientTest, MalformedRepliesCarryTheParseError) {
  const std::string reply = writeReply({"1.0", StatusCode::Ok, "registered"});
  const std::string bad[] = {
      "garbage that is not XML at all",
      "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"OK\"><SC_STATUS_MSG>cut",
      reply + reply,  // two documents
      "<SC_REPLY VERSION=\"1.0\" STATUS_CODE=\"MAYBE\"><SC_STATUS_MSG>x</SC_STATUS_MSG></SC_REPLY>",
      writeEvent({"1.0", "EC_Cluster", "ESC_cluster_membership", "SUNW", "rgm", {}}),
      std::string("\0\xff\xfe<", 4),
  };
  for (const std::string& answer : bad) {
    SCOPED_TRACE(answer.substr(0, 60));
    AnsweringServer server(answer);
    const auto result = registerOnce(loopback(server.port()), fastOptions());
    EXPECT_EQ(result.outcome, RegistrationOutcome::MalformedReply) << result.detail;
    EXPECT_FALSE(result.reply);
    EXPECT_FALSE(result.detail.empty());
  }
}

TEST(RegistrationClientTest, OversizedReplyIsCutAtTheLimit) {
  const std::string reply = writeReply({"1.0", StatusCode::Ok, std::string(100 * 1024, 'x')});
  AnsweringServer server(reply);
  auto options = fastOptions();
  options.limits.maxBytes = 64 * 1024;
  const auto result = registerOnce(loopback(server.port()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::MalformedReply) << result.detail;
  EXPECT_NE(result.detail.find("65536"), std::string::npos) << result.detail;
}

TEST(RegistrationClientTest, LocalAddressIsTheSourceTheServerSees) {
  AnsweringServer server(writeReply({"1.0", StatusCode::Ok, "ok"}));
  auto options = fastOptions();
  options.localAddress = make_address("127.0.0.2");
  const auto result = registerOnce(loopback(server.port()), options);
  ASSERT_EQ(result.outcome, RegistrationOutcome::Replied) << result.detail;
  ASSERT_TRUE(result.localAddress);
  EXPECT_EQ(*result.localAddress, make_address("127.0.0.2"));
  ASSERT_TRUE(server.server().waitServed(1));
  EXPECT_EQ(server.server().peers(), std::vector<std::string>{"127.0.0.2"});
}

TEST(RegistrationClientTest, UnusableLocalAddressIsANetworkError) {
  auto options = fastOptions();
  options.localAddress = make_address("198.51.100.7");  // TEST-NET-2: not on this host
  const auto result = registerOnce(loopback(RawSocket::deadPort()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::NetworkError) << result.detail;
  EXPECT_NE(result.detail.find("198.51.100.7"), std::string::npos) << result.detail;
}

TEST(RegistrationClientTest, LocalAddressOfTheOtherFamilyIsANetworkError) {
  auto options = fastOptions();
  options.localAddress = make_address("::1");
  const auto result = registerOnce(loopback(RawSocket::deadPort()), options);
  EXPECT_EQ(result.outcome, RegistrationOutcome::NetworkError) << result.detail;
}

TEST(RegistrationClientTest, UnknownHostFailsToResolve) {
  // .invalid never resolves (RFC 6761); without DNS the resolve deadline gives the same.
  const auto result = registerOnce(ServerAddress{"no-such-host.invalid", 9444}, fastOptions());
  EXPECT_EQ(result.outcome, RegistrationOutcome::ResolveFailed) << result.detail;
  EXPECT_EQ(result.server, "no-such-host.invalid:9444");
  EXPECT_FALSE(result.localAddress);
}

TEST(RegistrationClientTest, HandlerRunsOnTheGivenExecutor) {
  AnsweringServer server(writeReply({"1.0", StatusCode::Ok, "ok"}));
  boost::asio::io_context io;
  auto strand = boost::asio::make_strand(io);
  int calls = 0;
  bool onStrand = false;
  asyncRegister(strand, loopback(server.port()), sampleRegistration(), fastOptions(),
                [&](RegistrationResult result) {
                  ++calls;
                  onStrand = strand.running_in_this_thread();
                  EXPECT_EQ(result.outcome, RegistrationOutcome::Replied) << result.detail;
                });
  std::thread second([&] { io.run_for(test::kTestDeadline); });
  io.run_for(test::kTestDeadline);
  second.join();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(onStrand);
}

TEST(RegistrationClientTest, ManyConcurrentExchangesEachGetTheirReply) {
  const std::string reply = writeReply({"1.0", StatusCode::Ok, "ok"});
  AnsweringServer server(reply);
  boost::asio::io_context io;
  std::atomic<int> replied{0};
  constexpr int kExchanges = 20;
  for (int i = 0; i < kExchanges; ++i) {
    asyncRegister(io.get_executor(), loopback(server.port()), sampleRegistration(), fastOptions(),
                  [&](RegistrationResult result) {
                    if (result.outcome == RegistrationOutcome::Replied) ++replied;
                  });
  }
  std::thread second([&] { io.run_for(test::kTestDeadline); });
  io.run_for(test::kTestDeadline);
  second.join();
  EXPECT_EQ(replied.load(), kExchanges);
}

TEST(ServerAddressTest, ParsesTheThreeForms) {
  auto a = ServerAddress::parse("cluster.example:9444");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "cluster.example");
  EXPECT_EQ(a->port, 9444);
  auto b = ServerAddress::parse("10.0.0.5");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "10.0.0.5");
  EXPECT_EQ(b->port, 9444);
  auto c = ServerAddress::parse("[2001:db8::1]:7000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "2001:db8::1");
  EXPECT_EQ(c->port, 7000);
  auto d = ServerAddress::parse("[::1]");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 9444);
  auto e = ServerAddress::parse("2001:db8::2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "2001:db8::2");
}

TEST(ServerAddressTest, RejectsBadForms) {
  for (const char* bad :
       {"", ":9444", "host:", "host:0", "host:65536", "host:12x", "host:-1", "[::1", "[::1]x",
        "[::1]:", "[nothost]:1", "a b:1", "1:2:3:zz", "host:1:2"}) {
    EXPECT_FALSE(ServerAddress::parse(bad)) << bad;
  }
}

TEST(ServerAddressTest, ToStringRoundTrips) {
  EXPECT_EQ((ServerAddress{"cluster.example", 9444}).toString(), "cluster.example:9444");
  EXPECT_EQ((ServerAddress{"2001:db8::1", 7000}).toString(), "[2001:db8::1]:7000");
  for (const char* text : {"cluster.example:1", "[2001:db8::1]:65535", "127.0.0.1:9444"}) {
    auto parsed = ServerAddress::parse(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->toString(), text);
  }
}

TEST(RegistrationOutcomeTest, EveryOutcomeHasAName) {
  EXPECT_EQ(toString(RegistrationOutcome::Replied), "Replied");
  EXPECT_EQ(toString(RegistrationOutcome::ConnectTimeout), "ConnectTimeout");
  EXPECT_EQ(toString(RegistrationOutcome::MalformedReply), "MalformedReply");
  EXPECT_EQ(toString(RegistrationOutcome::NetworkError), "NetworkError");
}

}  // namespace
}  // namespace crnp
