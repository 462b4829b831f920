// gateway/ha's parts on a real etcd: the event log (the leader's appender, every replica's
// follower), the election, and changes handed to the leader. The multi-process suite
// (tests/integration, label ha) runs them together in real gateways.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "change_executor.hpp"
#include "change_forwarder.hpp"
#include "etcd_test_support.hpp"
#include "event_hub.hpp"
#include "event_log_appender.hpp"
#include "event_log_follower.hpp"
#include "eventually.hpp"
#include "log_entry_codec.hpp"
#include "replica_leadership.hpp"
#include "status_mapping.hpp"

namespace gateway::ha {
namespace {

using namespace std::chrono_literals;
using crnp::test::eventually;
using etcd::testing::connectOrFail;
using etcd::testing::EtcdCluster;
namespace pb = crnp::gateway::v1;
namespace rpb = crnp::gateway::replication::v1;

constexpr const char* kPrefix = "/crnp-ha-test";
const auto kReceived = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

crnp::Event rgEvent(const std::string& group, const std::string& state) {
  return {"1.0",  "EC_Cluster", "ESC_cluster_rg_state",
          "SUNW", "rgm",        {{"rg_name", {group}}, {"rg_state", {state}}}};
}

struct Recorder : EventSubscriber {
  void onEvent(const StoredEventPtr& event) override {
    std::lock_guard lock(mutex);
    events.push_back(event);
  }
  void onFellBehind() override {}
  std::vector<StoredEventPtr> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
  std::mutex mutex;
  std::vector<StoredEventPtr> events;
};

// A replica's hub on the log: loaded, then followed.
struct Replica {
  Replica(const etcd::EtcdClientPtr& client, std::size_t ring = 100) {
    auto loaded = EventLogFollower::load(*client, ReplicationKeys(kPrefix), ring);
    EXPECT_TRUE(loaded.ok());
    EventHubConfig config;
    config.ringCapacity = ring;
    hub = std::make_unique<EventHub>(config, EventHub::FanoutSignal{}, nullptr,
                                     std::move(loaded.value().recovered));
    follower = std::make_unique<EventLogFollower>(client, ReplicationKeys(kPrefix), *hub,
                                                  loaded.value().revision + 1);
  }
  std::unique_ptr<EventHub> hub;
  std::unique_ptr<EventLogFollower> follower;
};

// Leads the election `keys.election` with a fresh lease (the appender's guard).
v3electionpb::LeaderKey lead(etcd::EtcdClient& client, const std::string& value = "r0") {
  auto lease = client.leaseGrant(10s);
  EXPECT_TRUE(lease.ok());
  auto key = client.campaign(ReplicationKeys(kPrefix).election, lease.value().id(), value);
  EXPECT_TRUE(key.ok());
  return key.value();
}

std::unique_ptr<EventLogAppender> appenderFor(const etcd::EtcdClientPtr& client,
                                              const v3electionpb::LeaderKey& key,
                                              EventLogAppender::OnDeposed onDeposed = {},
                                              std::size_t logEvents = 100) {
  EventLogAppenderOptions options;
  options.logEvents = logEvents;
  if (!onDeposed) onDeposed = [](const std::string&) {};
  auto started = EventLogAppender::start(client, ReplicationKeys(kPrefix), key.key(), key.rev(),
                                         options, std::move(onDeposed));
  EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
  return started.ok() ? std::move(started).value() : nullptr;
}

TEST(ReplicatedEventLog, EveryReplicaNumbersTheLeadersEventsByRevisionAndTokensWorkOnAny) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  Replica first(client);
  Recorder live;
  first.hub->attach(live, {{"EC_Cluster", "", {}}}, std::nullopt);

  auto appender = appenderFor(client, lead(*client));
  ASSERT_TRUE(appender);
  appender->append(rgEvent("rg1", "ONLINE"), kReceived);
  appender->append(rgEvent("rg2", "ONLINE"), kReceived);
  appender->append(rgEvent("rg1", "OFFLINE"), kReceived);
  ASSERT_TRUE(appender->waitUntilWritten(std::chrono::steady_clock::now() + 5s));
  ASSERT_TRUE(eventually([&] { return live.snapshot().size() == 3; }, 5s));
  const auto events = live.snapshot();
  EXPECT_EQ(events[0]->event, rgEvent("rg1", "ONLINE"));
  EXPECT_EQ(events[2]->event, rgEvent("rg1", "OFFLINE"));
  EXPECT_EQ(events[0]->received, kReceived) << "every replica reports the leader's time";
  EXPECT_LT(events[0]->sequence, events[1]->sequence);

  // A replica that starts now has the same events, numbers and epoch: a token from the first
  // resumes on it without reset.
  Replica second(client);
  EXPECT_EQ(second.hub->epoch(), first.hub->epoch());
  Recorder resumed;
  auto replay = second.hub->attach(resumed, {{"EC_Cluster", "", {}}},
                                   decodeResumeToken(events[0]->resumeToken));
  second.hub->detach(resumed);
  EXPECT_TRUE(replay.resetReason.empty()) << replay.resetReason;
  ASSERT_EQ(replay.events.size(), 2u);
  EXPECT_EQ(replay.events[0]->sequence, events[1]->sequence);
  EXPECT_EQ(replay.events[1]->sequence, events[2]->sequence);
  EXPECT_EQ(second.hub->latest({}).size(), 2u) << "the latest of rg1 and of rg2";
  first.hub->detach(live);
}

TEST(ReplicatedEventLog, RepeatsOfTheLatestStateAreNotAppendedAndABatchMayRepeatAKey) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto key = lead(*client);
  {
    auto appender = appenderFor(client, key);
    ASSERT_TRUE(appender);
    for (int i = 0; i < 5; ++i) {  // one batch: rg1 four times, two of them repeats
      appender->append(rgEvent("rg1", i % 2 ? "ONLINE" : "OFFLINE"), kReceived);
    }
    appender->append(rgEvent("rg1", "OFFLINE"), kReceived);
    ASSERT_TRUE(appender->waitUntilWritten(std::chrono::steady_clock::now() + 5s));
    EXPECT_EQ(appender->stats().appended, 5u);
    EXPECT_EQ(appender->stats().repeats, 1u);
    EXPECT_EQ(appender->stats().failedTxns, 0u);
  }
  // The next term's appender knows the latest state: the cluster's answer to its ADD_CLIENT
  // (the latest event of each type) appends nothing.
  auto next = appenderFor(client, key);
  ASSERT_TRUE(next);
  next->append(rgEvent("rg1", "OFFLINE"), kReceived);
  ASSERT_TRUE(next->waitUntilWritten(std::chrono::steady_clock::now() + 5s));
  EXPECT_EQ(next->stats().appended, 0u);
  EXPECT_EQ(next->stats().repeats, 1u);
}

TEST(ReplicatedEventLog, TheLogKeepsTheRingsSizeAndOlderTokensReset) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  Replica early(client, 3);
  Recorder live;
  early.hub->attach(live, {{"EC_Cluster", "", {}}}, std::nullopt);
  auto appender = appenderFor(client, lead(*client), {}, /*logEvents=*/3);
  ASSERT_TRUE(appender);
  for (int i = 0; i < 6; ++i) {
    appender->append(rgEvent("rg" + std::to_string(i), "ONLINE"), kReceived);
    ASSERT_TRUE(appender->waitUntilWritten(std::chrono::steady_clock::now() + 5s));
  }
  ASSERT_TRUE(eventually([&] { return live.snapshot().size() == 6; }, 5s));
  const auto events = live.snapshot();

  Replica late(client, 3);
  auto old =
      late.hub->attach(live, {{"EC_Cluster", "", {}}}, decodeResumeToken(events[1]->resumeToken));
  late.hub->detach(live);
  EXPECT_FALSE(old.resetReason.empty()) << "events after it were trimmed";
  auto kept =
      late.hub->attach(live, {{"EC_Cluster", "", {}}}, decodeResumeToken(events[2]->resumeToken));
  late.hub->detach(live);
  EXPECT_TRUE(kept.resetReason.empty()) << kept.resetReason;
  EXPECT_EQ(kept.events.size(), 3u);
  EXPECT_EQ(late.hub->latest({}).size(), 6u) << "the latest of each group outlives the log";
  early.hub->detach(live);
}

TEST(ReplicatedEventLog, ADeposedLeaderAppendsNothing) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  Replica replica(client);
  auto key = lead(*client);
  std::promise<std::string> deposed;
  auto appender = appenderFor(client, key, [&](const std::string& why) { deposed.set_value(why); });
  ASSERT_TRUE(appender);
  ASSERT_TRUE(client->resign(key).ok());  // another replica may lead now
  appender->append(rgEvent("rg1", "ONLINE"), kReceived);
  auto why = deposed.get_future();
  ASSERT_EQ(why.wait_for(5s), std::future_status::ready);
  EXPECT_NE(why.get().find("another replica"), std::string::npos);
  EXPECT_EQ(appender->stats().appended, 0u);
  EXPECT_EQ(appender->stats().dropped, 1u);
  std::this_thread::sleep_for(200ms);  // nothing may arrive; there is no event to wait for
  EXPECT_EQ(replica.hub->published(), 0u);
}

TEST(ReplicaLeadershipTest, OneLeadsAndAStoppedLeaderHandsOverAtOnce) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  std::atomic<int> elected{0};
  std::atomic<int> deposed{0};
  const auto handlers = [&](std::atomic<int>& mine) {
    return ReplicaLeadership::Handlers{[&](const LeadershipTerm&) { ++mine; },
                                       [&](const std::string&) { ++deposed; }};
  };
  std::atomic<int> firstElected{0};
  std::atomic<int> secondElected{0};
  ReplicaLeadership first(client, ReplicationKeys(kPrefix), "r1", 10s, handlers(firstElected));
  first.start();
  ASSERT_TRUE(eventually([&] { return first.leads(); }, 5s));
  ReplicaLeadership second(client, ReplicationKeys(kPrefix), "r2", 10s, handlers(secondElected));
  second.start();
  ASSERT_TRUE(eventually([&] { return second.leader() == "r1"; }, 5s));
  EXPECT_FALSE(second.leads());
  EXPECT_TRUE(eventually([&] { return second.lease() != 0; }, 5s))
      << "a follower holds a lease too (its forwarded changes use it)";

  const auto stopped = std::chrono::steady_clock::now();
  first.stop();
  EXPECT_EQ(deposed.load(), 1);
  ASSERT_TRUE(eventually([&] { return second.leads(); }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 5s)
      << "a resigning leader is replaced at once, not after the lease's 10 s";
  EXPECT_EQ(secondElected.load(), 1);
  EXPECT_EQ(firstElected.load(), 1);
  (void)elected;
}

// The leader's registration service, as far as forwarded changes go.
struct ScriptedChanges : RegistrationChanges {
  void registerAsync(const pb::RegisterRequest& request, RegisterDone done,
                     ChangeCaller caller) override {
    {
      std::lock_guard lock(mutex);
      registers.push_back(request);
      deadlines.push_back(caller.deadline);
    }
    if (request.registration_id() == "refused") {
      return done(makeErrorStatus(grpc::StatusCode::FAILED_PRECONDITION, "the cluster said no",
                                  "CRNP_REFUSED", {{"sc_reply", "INVALID"}}),
                  {});
    }
    pb::Registration registration;
    registration.set_registration_id(request.registration_id());
    done(grpc::Status::OK, registration);
  }
  void unregisterAsync(const pb::UnregisterRequest& request, UnregisterDone done,
                       ChangeCaller) override {
    pb::UnregisterResponse response;
    response.set_removed(request.registration_id() == "known");
    done(grpc::Status::OK, response);
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return registers.size();
  }
  std::chrono::system_clock::time_point deadline(std::size_t i) {
    std::lock_guard lock(mutex);
    return deadlines.at(i);
  }
  std::mutex mutex;
  std::vector<pb::RegisterRequest> registers;
  std::vector<std::chrono::system_clock::time_point> deadlines;
};

struct Timers {
  Timers() : thread([this] { io.run(); }) {}
  ~Timers() {
    work.reset();
    thread.join();
  }
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      io.get_executor()};
  std::thread thread;
};

struct Answer {
  grpc::Status status;
  rpb::ForwardedAnswer answer;
};

std::future<Answer> forward(ChangeForwarder& forwarder, rpb::ForwardedChange change,
                            std::chrono::system_clock::time_point deadline) {
  auto promise = std::make_shared<std::promise<Answer>>();
  auto future = promise->get_future();
  forwarder.forward(std::move(change), deadline,
                    [promise](grpc::Status status, const rpb::ForwardedAnswer& answer) {
                      promise->set_value({std::move(status), answer});
                    });
  return future;
}

rpb::ForwardedChange registerChange(const std::string& id) {
  rpb::ForwardedChange change;
  change.mutable_register_request()->set_registration_id(id);
  return change;
}

// A leader's executor (not leading until a test says so) and a follower's forwarder.
struct ForwardedChanges : ::testing::Test {
  void SetUp() override {
    CRNP_REQUIRE_ETCD();
    cluster = std::make_unique<EtcdCluster>(1);
    client = connectOrFail(*cluster);
    ASSERT_TRUE(client);
    executor = std::make_unique<ChangeExecutor>(client, ReplicationKeys(kPrefix), leaderService);
    executor->start();
    follower = std::make_unique<ChangeForwarder>(
        client, ReplicationKeys(kPrefix), "r2", [] { return 0; }, timers.io.get_executor());
    follower->start();
  }
  Timers timers;
  ScriptedChanges leaderService;
  std::unique_ptr<EtcdCluster> cluster;
  etcd::EtcdClientPtr client;
  std::unique_ptr<ChangeExecutor> executor;
  std::unique_ptr<ChangeForwarder> follower;
};

TEST_F(ForwardedChanges, TheLeaderCarriesThemOutAndTheFollowerGetsItsStatusWithDetails) {
  // Made while nobody leads: it waits in etcd and is carried out once a leader is there.
  const auto deadline = std::chrono::system_clock::now() + 20s;
  auto waiting = forward(*follower, registerChange("early"), deadline);
  std::this_thread::sleep_for(300ms);  // nothing can happen without a leader; give it the chance
  EXPECT_EQ(leaderService.count(), 0u);
  executor->lead();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  auto early = waiting.get();
  EXPECT_TRUE(early.status.ok()) << early.status.error_message();
  EXPECT_EQ(early.answer.registration().registration_id(), "early");
  ASSERT_EQ(leaderService.count(), 1u);
  EXPECT_LT(std::chrono::abs(leaderService.deadline(0) - deadline), 1ms)
      << "the leader honours the caller's deadline";

  auto refused = forward(*follower, registerChange("refused"), deadline);
  ASSERT_EQ(refused.wait_for(10s), std::future_status::ready);
  const auto answer = refused.get();
  EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(answer.status.error_message(), "the cluster said no");
  const auto expected =
      makeErrorStatus(grpc::StatusCode::FAILED_PRECONDITION, "the cluster said no", "CRNP_REFUSED",
                      {{"sc_reply", "INVALID"}});
  EXPECT_EQ(answer.status.error_details(), expected.error_details())
      << "the details (ErrorInfo) arrive as the leader built them";

  rpb::ForwardedChange removal;
  removal.mutable_unregister_request()->set_registration_id("known");
  auto removed = forward(*follower, removal, deadline);
  ASSERT_EQ(removed.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(removed.get().answer.unregister_response().removed());

  // Nothing is left behind in etcd.
  ASSERT_TRUE(eventually([&] {
    auto left = client->range({kPrefix + std::string("/"), true});
    return left.ok() && left.value().kvs().empty();
  }));
}

TEST_F(ForwardedChanges, WithoutALeaderTheCallerGetsDeadlineExceededAndTheChangeIsWithdrawn) {
  auto late = forward(*follower, registerChange("late"), std::chrono::system_clock::now() + 500ms);
  ASSERT_EQ(late.wait_for(5s), std::future_status::ready);
  const auto answer = late.get();
  EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(answer.status.error_message().find("leader did not answer"), std::string::npos);
  ASSERT_TRUE(eventually([&] {
    auto left = client->range({ReplicationKeys(kPrefix).changes, true});
    return left.ok() && left.value().kvs().empty();
  }));
  executor->lead();
  std::this_thread::sleep_for(300ms);  // a withdrawn change must not run; nothing to wait for
  EXPECT_EQ(leaderService.count(), 0u);
}

}  // namespace
}  // namespace gateway::ha

namespace gateway::ha {
namespace {

// A replica cut off for so long that etcd compacted the history its watch needed: when the
// log still reaches back to what its hub has, it catches up without a gap; when the oldest
// entries were trimmed meanwhile, its streams are told (they resume and reset), never served
// a silent gap.
TEST(ReplicatedEventLog, AReplicaPastACompactionCatchesUpOrDeclaresTheGap) {
  CRNP_REQUIRE_ETCD();
  EtcdCluster cluster(1);
  auto client = connectOrFail(cluster);
  ASSERT_TRUE(client);
  auto appender = appenderFor(client, lead(*client), {}, /*logEvents=*/4);
  ASSERT_TRUE(appender);
  const auto appendAndCompact = [&](int from, int count) {
    for (int i = from; i < from + count; ++i) {
      appender->append(rgEvent("rg" + std::to_string(i), "ONLINE"), kReceived);
      ASSERT_TRUE(appender->waitUntilWritten(std::chrono::steady_clock::now() + 5s));
    }
    auto now = client->range({"/", true, 0, 1});
    ASSERT_TRUE(now.ok());
    ASSERT_TRUE(client->compact(now.value().header().revision()).ok());
  };

  Replica replica(client, 4);
  const auto cutOffAt = replica.hub->lastSequence();
  replica.follower.reset();  // cut off
  appendAndCompact(0, 2);    // the log still holds everything after the hub
  Recorder overlap;
  replica.hub->attach(overlap, {{"EC_Cluster", "", {}}}, std::nullopt);
  replica.follower = std::make_unique<EventLogFollower>(client, ReplicationKeys(kPrefix),
                                                        *replica.hub, revisionOf(cutOffAt) + 1);
  ASSERT_TRUE(eventually([&] { return overlap.snapshot().size() == 2; }, 5s));
  replica.hub->detach(overlap);

  replica.follower.reset();  // cut off again
  const auto secondCut = replica.hub->lastSequence();
  appendAndCompact(2, 6);  // trims past what the hub has
  struct GapWatcher : Recorder {
    void onFellBehind() override { ++fellBehind; }
    std::atomic<int> fellBehind{0};
  } gap;
  replica.hub->attach(gap, {{"EC_Cluster", "", {}}}, std::nullopt);
  replica.follower = std::make_unique<EventLogFollower>(client, ReplicationKeys(kPrefix),
                                                        *replica.hub, revisionOf(secondCut) + 1);
  ASSERT_TRUE(eventually([&] { return gap.fellBehind.load() == 1; }, 5s));
  ASSERT_TRUE(eventually([&] { return replica.hub->latest({}).size() == 8; }, 5s))
      << "it goes on with what the log still holds";
  replica.hub->detach(gap);
}

}  // namespace
}  // namespace gateway::ha
