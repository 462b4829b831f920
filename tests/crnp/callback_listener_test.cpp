// The callback listener against raw loopback peers: round trip, release order, allowlist,
// hostile input (garbage, slowloris, oversized, floods) and stopping. The io_context runs on
// two threads, as it may in the gateway.
#include "crnp/callback_listener.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "crnp/codec.hpp"
#include "loopback_peer.hpp"

namespace crnp {
namespace {

using boost::asio::ip::make_address;
using test::eventually;
using test::RawSocket;
using namespace std::chrono_literals;

// Sanitizers make every connection several times slower; the flood shrinks there, since
// those builds look for races, not for throughput.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

Event makeEvent(int n) {
  return Event{"1.0",
               "EC_Cluster",
               "ESC_cluster_rg_state",
               "SUNW",
               "rgm",
               {NvPair{"rg_name", {"rg-" + std::to_string(n)}},
                NvPair{"node_list", {"phys-node-1", "phys-node-2"}},
                NvPair{"state_list", {"ONLINE", "OFFLINE"}}}};
}

std::string rgName(const Event& event) {
  const NvPair* pair = event.find("rg_name");
  return pair != nullptr && !pair->values.empty() ? pair->values.front() : "";
}

class CallbackListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        ++threadsDone_;
      });
    }
  }

  void TearDown() override {
    listener_.reset();
    drain();
  }

  /// Stops the io_context's work guard and waits until every pending handler has run.
  void drain() {
    if (threads_.empty()) return;
    guard_.reset();
    if (!eventually([&] { return threadsDone_ == 2; })) {
      ADD_FAILURE() << "handlers still pending after the listener stopped";
      io_.stop();
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  CallbackListenerOptions options() {
    CallbackListenerOptions o;
    o.listen = {make_address("127.0.0.1"), 0};
    o.readTimeout = 5s;
    return o;
  }

  void start(CallbackListenerOptions o) {
    listener_ = std::make_unique<CallbackListener>(
        io_.get_executor(), std::move(o),
        [this](Event event, const boost::asio::ip::address& peer) { onEvent(event, peer); });
    ASSERT_FALSE(listener_->start());
    port_ = listener_->localEndpoint().port();
    ASSERT_NE(port_, 0);
  }

  void onEvent(const Event& event, const boost::asio::ip::address& peer) {
    if (++inHandler_ != 1) overlapped_ = true;
    {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      peers_.push_back(peer);
    }
    if (onEventHook_) onEventHook_();
    --inHandler_;
    cv_.notify_all();
  }

  bool waitEvents(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, test::kTestDeadline, [&] { return events_.size() >= n; });
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

  CallbackListenerStats stats() const { return listener_->stats(); }

  RawSocket connect(const std::string& source = "") {
    return RawSocket::connectTo("127.0.0.1", port_, source);
  }
  /// Sends one whole event on a new connection and closes it, as a CRNP server does.
  void sendEvent(const Event& event, const std::string& source = "") {
    RawSocket s = connect(source);
    s.sendAll(writeEvent(event));
  }
  /// Sends bytes, half-closes, and waits until the listener closes its side.
  static RawSocket::End sendAndWaitClosed(RawSocket& s, std::string_view bytes) {
    s.sendAll(bytes);
    s.shutdownWrite();
    return s.readToEnd().end;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  std::vector<std::thread> threads_;
  std::atomic<int> threadsDone_{0};
  std::unique_ptr<CallbackListener> listener_;
  std::uint16_t port_ = 0;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  std::vector<boost::asio::ip::address> peers_;
  std::atomic<int> inHandler_{0};
  std::atomic<bool> overlapped_{false};
  std::function<void()> onEventHook_;
};

TEST_F(CallbackListenerTest, OneEventRoundTrip) {
  start(options());
  sendEvent(makeEvent(1));
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(events().at(0), makeEvent(1));
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(peers_.at(0), make_address("127.0.0.1"));
  }
  const auto s = stats();
  EXPECT_EQ(s.accepted, 1u);
  EXPECT_EQ(s.events, 1u);
  EXPECT_EQ(s.parseErrors + s.timedOut + s.tooLarge + s.ioErrors + s.rejectedPeer, 0u);
}

TEST_F(CallbackListenerTest, TheHandlerRunsOnTheGivenExecutorOneCallAtATimeInOrder) {
  auto strand = boost::asio::make_strand(io_.get_executor());
  std::atomic<int> offStrand{0};
  onEventHook_ = [&] {
    if (!strand.running_in_this_thread()) ++offStrand;
  };
  auto o = options();
  o.handlerExecutor = strand;
  start(std::move(o));
  const int count = 50;
  for (int i = 0; i < count; ++i) sendEvent(makeEvent(i), "127.0.0.1");
  ASSERT_TRUE(waitEvents(count));
  EXPECT_EQ(offStrand.load(), 0);
  EXPECT_FALSE(overlapped_);
  for (int i = 0; i < count; ++i) EXPECT_EQ(rgName(events().at(i)), "rg-" + std::to_string(i));
}

TEST_F(CallbackListenerTest, EventsWaitForAnEarlierConnectionOfTheSamePeerWithinItsGrace) {
  auto o = options();
  o.orderGrace = 20s;  // longer than the test: the accept order must hold throughout
  start(o);
  constexpr int kConnections = 6;
  // A blocking connect returns once the connection is in the accept queue, so these are
  // accepted in this order.
  std::vector<RawSocket> sockets;
  for (int i = 0; i < kConnections; ++i) sockets.push_back(connect());
  ASSERT_TRUE(eventually([&] { return stats().accepted == kConnections; }));
  // The later connections finish first: each is read to EOF and closed by the listener
  // before the next one (an earlier one) sends anything.
  for (int i = kConnections - 1; i >= 1; --i) {
    EXPECT_EQ(sendAndWaitClosed(sockets[i], writeEvent(makeEvent(i))), RawSocket::End::Eof);
  }
  ASSERT_TRUE(eventually([&] { return stats().waiting == kConnections - 1; }));
  EXPECT_TRUE(events().empty()) << "an event overtook the first connection";
  EXPECT_EQ(stats().open, 1u);
  sendAndWaitClosed(sockets[0], writeEvent(makeEvent(0)));
  ASSERT_TRUE(waitEvents(kConnections));
  const auto received = events();
  for (int i = 0; i < kConnections; ++i) EXPECT_EQ(rgName(received[i]), "rg-" + std::to_string(i));
  EXPECT_EQ(stats().events, static_cast<std::uint64_t>(kConnections));
  EXPECT_EQ(stats().waiting, 0u);
  EXPECT_FALSE(overlapped_);
}

TEST_F(CallbackListenerTest, AStalledConnectionNoLongerHoldsBackEventsAfterItsGrace) {
  auto o = options();
  o.orderGrace = 100ms;
  start(o);
  RawSocket stalled = connect();
  stalled.sendAll("<SC_EVENT");  // a start, then nothing: slowloris
  RawSocket later = connect();
  ASSERT_TRUE(eventually([&] { return stats().accepted == 2; }));
  const auto sent = std::chrono::steady_clock::now();
  sendAndWaitClosed(later, writeEvent(makeEvent(2)));
  ASSERT_TRUE(waitEvents(1));
  // Released when the stalled connection's grace ended, long before its read deadline (5 s).
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 3s);
  EXPECT_EQ(rgName(events().at(0)), "rg-2");
  EXPECT_EQ(stats().open, 1u);
}

TEST_F(CallbackListenerTest, PeersDoNotHoldEachOtherBack) {
  auto o = options();
  o.allowedPeers = *AddressFilter::parse("127.0.0.0/8");
  o.orderGrace = 20s;
  start(o);
  RawSocket stalled = connect("127.0.0.2");
  ASSERT_TRUE(eventually([&] { return stats().accepted == 1; }));
  sendEvent(makeEvent(1), "127.0.0.1");
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(rgName(events().at(0)), "rg-1");
}

TEST_F(CallbackListenerTest, AFailedConnectionReleasesItsSlot) {
  start(options());
  RawSocket first = connect();
  RawSocket second = connect();
  ASSERT_TRUE(eventually([&] { return stats().accepted == 2; }));
  sendAndWaitClosed(second, writeEvent(makeEvent(2)));
  sendAndWaitClosed(first, "<not an event/>");
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(rgName(events().at(0)), "rg-2");
  // The event may have been released at the end of the first connection's grace, before the
  // garbage on it was counted.
  EXPECT_TRUE(eventually([&] { return stats().parseErrors == 1; }));
}

TEST_F(CallbackListenerTest, AtTheLimitAcceptingPausesAndTheBacklogKeepsTheEvent) {
  auto o = options();
  o.maxConnections = 2;
  o.firstByteTimeout = 20s;  // the idle connections stay until the test closes one
  start(o);
  RawSocket idle1 = connect();
  RawSocket idle2 = connect();
  ASSERT_TRUE(eventually([&] { return stats().accepted == 2; }));
  // The cluster's delivery: connected (in the kernel's backlog), written and closed, as a
  // CRNP server does; to the server it is delivered.
  sendEvent(makeEvent(3));
  ASSERT_TRUE(eventually([&] { return stats().acceptPauses >= 1; }));
  EXPECT_EQ(stats().accepted, 2u);
  EXPECT_TRUE(events().empty());
  // A slot frees: the waiting connection is accepted and read, nothing was lost.
  EXPECT_EQ(sendAndWaitClosed(idle1, writeEvent(makeEvent(1))), RawSocket::End::Eof);
  ASSERT_TRUE(waitEvents(2));
  EXPECT_EQ(rgName(events().at(0)), "rg-1");
  EXPECT_EQ(rgName(events().at(1)), "rg-3");
  EXPECT_EQ(stats().rejectedShare, 0u);
  EXPECT_EQ(stats().open, 1u);
}

TEST_F(CallbackListenerTest, IdleConnectionsAreCutAtTheFirstByteDeadline) {
  auto o = options();
  o.maxConnections = 2;
  o.firstByteTimeout = 200ms;
  start(o);
  // Idle neighbours fill every slot; the real event waits in the backlog behind them.
  RawSocket idle1 = connect();
  RawSocket idle2 = connect();
  ASSERT_TRUE(eventually([&] { return stats().accepted == 2; }));
  sendEvent(makeEvent(7));
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(rgName(events().at(0)), "rg-7");
  // The first cut freed the slot the event came through; the second may land just after it.
  EXPECT_TRUE(eventually([&] { return stats().timedOut == 2; }));
  EXPECT_NE(idle1.readToEnd().end, RawSocket::End::Timeout);  // closed by the listener
  EXPECT_EQ(stats().rejectedShare, 0u);
}

TEST_F(CallbackListenerTest, ServersAreNotStarvedByAnotherAllowedAddress) {
  auto o = options();
  o.allowedPeers = *AddressFilter::parse("127.0.0.0/8");
  o.priorityPeers = *AddressFilter::parse("127.0.0.1");
  o.maxConnections = 8;  // 2 reserved for the server, 6 shared
  o.maxConnectionsPerPeer = 2;
  o.firstByteTimeout = 20s;
  start(o);
  std::vector<RawSocket> neighbours;
  for (const char* source :
       {"127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4"}) {
    neighbours.push_back(connect(source));
  }
  ASSERT_TRUE(eventually([&] { return stats().accepted == 6; }));
  // Over its own share, and over the shared pool: closed unread, counted.
  RawSocket overShare = connect("127.0.0.2");
  RawSocket overPool = connect("127.0.0.5");
  ASSERT_TRUE(eventually([&] { return stats().rejectedShare == 2; }));
  EXPECT_NE(overShare.readToEnd().end, RawSocket::End::Timeout);
  EXPECT_NE(overPool.readToEnd().end, RawSocket::End::Timeout);
  // The server still gets through, twice at once.
  RawSocket serverIdle = connect("127.0.0.1");
  sendEvent(makeEvent(1), "127.0.0.1");
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(rgName(events().at(0)), "rg-1");
  EXPECT_EQ(stats().accepted, 8u);
}

TEST_F(CallbackListenerTest, PeerOutsideTheAllowlistIsClosedUnread) {
  auto o = options();
  o.allowedPeers = *AddressFilter::parse("127.0.0.1/32");
  start(o);
  RawSocket intruder = connect("127.0.0.2");
  intruder.sendAll(writeEvent(makeEvent(666)));
  ASSERT_TRUE(eventually([&] { return stats().rejectedPeer == 1; }));
  EXPECT_NE(intruder.readToEnd().end, RawSocket::End::Timeout);  // closed at once
  sendEvent(makeEvent(1));
  ASSERT_TRUE(waitEvents(1));
  listener_->stop();
  drain();  // every handler that was ever posted has run
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(rgName(events().at(0)), "rg-1");
  EXPECT_EQ(stats().accepted, 1u);
  EXPECT_EQ(stats().events, 1u);
}

TEST_F(CallbackListenerTest, HostileDocumentsAreCountedAsParseErrors) {
  start(options());
  const std::string hostile[] = {
      "",  // connect and close
      "complete garbage \x01\x02\xff",
      writeReply({"1.0", StatusCode::Ok, "not an event"}),
      "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
      "<SC_EVENT VERSION=\"1.0\" CLASS=\"&b;\" SUBCLASS=\"s\" VENDOR=\"v\" PUBLISHER=\"p\"/>",
      writeEvent(makeEvent(1)) + writeEvent(makeEvent(2)),  // two documents
      std::string(40, '<'),
      "<SC_EVENT VERSION=\"1.0\" CLASS=\"EC_Cluster\">",  // cut short
  };
  for (const auto& bytes : hostile) {
    RawSocket s = connect();
    sendAndWaitClosed(s, bytes);
  }
  const auto expected = std::size(hostile);
  ASSERT_TRUE(eventually([&] { return stats().parseErrors == expected; })) << stats().parseErrors;
  sendEvent(makeEvent(7));
  ASSERT_TRUE(waitEvents(1));
  EXPECT_EQ(rgName(events().at(0)), "rg-7");
  EXPECT_EQ(stats().accepted, expected + 1);
}

TEST_F(CallbackListenerTest, HalfADocumentThenSilenceTimesOut) {
  auto o = options();
  o.readTimeout = 300ms;
  start(o);
  RawSocket s = connect();
  const std::string event = writeEvent(makeEvent(1));
  s.sendAll(event.substr(0, event.size() / 2));
  ASSERT_TRUE(eventually([&] { return stats().timedOut == 1; }));
  EXPECT_NE(s.readToEnd().end, RawSocket::End::Timeout);  // the listener closed it
  EXPECT_EQ(stats().events, 0u);
}

TEST_F(CallbackListenerTest, SlowlorisIsCutAtTheTotalDeadline) {
  auto o = options();
  o.readTimeout = 500ms;
  start(o);
  RawSocket s = connect();
  const auto started = std::chrono::steady_clock::now();
  // The attack itself: a byte every 50 ms for up to 10 s, which an idle timeout would only
  // cut once the trickle stops.
  std::thread trickler([&] {
    const std::string event = writeEvent(makeEvent(1));
    for (std::size_t i = 0; i < event.size() && s.sendAll(event.substr(i, 1)); ++i) {
      if (std::chrono::steady_clock::now() - started > 10s) break;
      std::this_thread::sleep_for(50ms);
    }
  });
  ASSERT_TRUE(eventually([&] { return stats().timedOut == 1; }));
  const auto cutAfter = std::chrono::steady_clock::now() - started;
  trickler.join();
  EXPECT_GE(cutAfter, 450ms);
  EXPECT_LT(cutAfter, 5s);
  EXPECT_EQ(stats().events, 0u);
}

TEST_F(CallbackListenerTest, OversizedDocumentIsCutAndCounted) {
  auto o = options();
  o.limits.maxBytes = 1024 * 1024;
  start(o);
  RawSocket s = connect();
  std::thread sender([&] {
    std::string big =
        "<SC_EVENT VERSION=\"1.0\" CLASS=\"EC_Cluster\" SUBCLASS=\"x\" VENDOR=\"v\" "
        "PUBLISHER=\"p\"><NVPAIR><NAME>n</NAME><VALUE>";
    big.append(2 * 1024 * 1024, 'a');
    big += "</VALUE></NVPAIR></SC_EVENT>";
    s.sendAll(big);  // fails once the listener closes; kernel buffers may take it all
  });
  ASSERT_TRUE(eventually([&] { return stats().tooLarge == 1; }));
  sender.join();
  EXPECT_NE(s.readToEnd().end, RawSocket::End::Timeout);  // closed by the listener
  EXPECT_EQ(stats().events, 0u);
  sendEvent(makeEvent(1));
  ASSERT_TRUE(waitEvents(1));
}

TEST_F(CallbackListenerTest, FloodStaysBoundedAndCountsAddUp) {
  auto o = options();
  o.maxConnections = 4;
  start(o);
  constexpr std::uint64_t kFlood = kSanitized ? 500 : 3000;
  const std::string valid = writeEvent(makeEvent(1));
  std::uint64_t maxOpenSeen = 0;
  for (std::uint64_t i = 0; i < kFlood; ++i) {
    RawSocket s = connect();
    if (i % 3 == 0) s.sendAll(valid);
    if (i % 3 == 1) s.sendAll("garbage");
    // i % 3 == 2: connect and close without a byte.
    if (i % 100 == 0) maxOpenSeen = std::max(maxOpenSeen, stats().open);
  }
  const auto allAccountedFor = [&] {
    const auto st = stats();
    return st.accepted == kFlood &&
           st.accepted == st.events + st.parseErrors + st.ioErrors + st.timedOut;
  };
  // Nothing is refused: at the limit the flood waits in the backlog.
  ASSERT_TRUE(eventually(allAccountedFor, 30s))
      << "accepted " << stats().accepted << " refused " << stats().rejectedShare;
  const auto st = stats();
  EXPECT_LE(maxOpenSeen, 4u);
  EXPECT_EQ(st.open, 0u);
  EXPECT_EQ(st.timedOut, 0u);
  EXPECT_EQ(st.tooLarge, 0u);
  EXPECT_EQ(st.rejectedPeer, 0u);
  EXPECT_EQ(st.rejectedShare, 0u);
  EXPECT_EQ(st.events, (kFlood + 2) / 3);
  // Still serving afterwards.
  sendEvent(makeEvent(42));
  ASSERT_TRUE(eventually([&] {
    const auto e = events();
    return !e.empty() && rgName(e.back()) == "rg-42";
  }));
  EXPECT_EQ(stats().events, events().size());
  EXPECT_FALSE(overlapped_);
}

TEST_F(CallbackListenerTest, StopClosesOpenConnectionsAndTheAcceptor) {
  start(options());
  std::vector<RawSocket> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(connect());
    open.back().sendAll("<SC_EVENT VERSION=\"1.0\"");
  }
  ASSERT_TRUE(eventually([&] { return stats().accepted == 3; }));
  listener_->stop();
  listener_->stop();                            // idempotent
  EXPECT_THROW(connect(), std::runtime_error);  // refused: the port is closed already
  for (auto& s : open) EXPECT_NE(s.readToEnd().end, RawSocket::End::Timeout);
  drain();
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(stats().open, 0u);
}

TEST_F(CallbackListenerTest, NoHandlerCallAfterStopFromTheHandler) {
  onEventHook_ = [this] { listener_->stop(); };  // set before the io threads can read it
  start(options());
  RawSocket first = connect();
  RawSocket second = connect();
  ASSERT_TRUE(eventually([&] { return stats().accepted == 2; }));
  sendAndWaitClosed(second, writeEvent(makeEvent(2)));
  sendAndWaitClosed(first, writeEvent(makeEvent(1)));
  ASSERT_TRUE(waitEvents(1));
  drain();
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(rgName(events().at(0)), "rg-1");
}

TEST_F(CallbackListenerTest, DestructorStops) {
  start(options());
  RawSocket s = connect();
  s.sendAll("<SC_EV");
  ASSERT_TRUE(eventually([&] { return stats().accepted == 1; }));
  listener_.reset();
  EXPECT_NE(s.readToEnd().end, RawSocket::End::Timeout);
  drain();
  EXPECT_TRUE(events().empty());
}

TEST_F(CallbackListenerTest, StartReportsBindErrorsAndDoubleStart) {
  RawSocket taken = RawSocket::listenOn("127.0.0.1");
  auto o = options();
  o.listen.port(taken.localPort());
  CallbackListener clash(io_.get_executor(), o, [](Event, const boost::asio::ip::address&) {});
  EXPECT_TRUE(clash.start());

  start(options());
  EXPECT_TRUE(listener_->start());  // already started
  listener_->stop();
  CallbackListener stopped(io_.get_executor(), options(),
                           [](Event, const boost::asio::ip::address&) {});
  stopped.stop();
  EXPECT_TRUE(stopped.start());  // stopped before starting
}

}  // namespace
}  // namespace crnp
