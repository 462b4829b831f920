// RegistrationService: changes one at a time in FIFO order without blocking the caller, the
// pending bound, shutdown, restore at startup, and a registry that cannot write.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "registration_fixture.hpp"
#include "serial_worker.hpp"
#include "temp_dir.hpp"
#include "type_set_diff.hpp"

namespace gateway::test {
namespace {

using Fixture = RegistrationFixture;
using crnp::testing::TempDir;
using std::chrono::milliseconds;

bool isReady(const auto& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

class QueueTestBase : public RegistrationFixture {
 protected:
  QueueTestBase() {
    upstream_.hold(true);
    rebuild({}, worker_.executor());
  }
  ~QueueTestBase() override {
    upstream_.hold(false);
    while (upstream_.answerNext(FakeUpstream::ok())) {
    }
    // A change's `done` runs before the change has finished on the worker: drain the worker
    // before the service goes.
    worker_.stop();
    service_.reset();
  }
  SerialWorker worker_;
};
using QueueTest = QueueTestBase;

TEST_F(QueueTest, ChangesRunOneAtATimeInArrivalOrder) {
  auto first = registerLater(registerRequest("a", {membership()}));
  auto second = registerLater(registerRequest("b", {rgState("g")}));
  auto third = unregisterLater(unregisterRequest("a"));
  // The calls returned although the upstream has not answered: nobody waited on it.
  ASSERT_TRUE(upstream_.waitForCalls(1));
  EXPECT_FALSE(isReady(first));
  EXPECT_EQ(upstream_.callCount(), 1u);  // b waits for a

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(first)).status.ok());
  ASSERT_TRUE(upstream_.waitForCalls(2));
  EXPECT_EQ(upstream_.calls()[1], normalizeTypes({membership(), rgState("g")}));
  EXPECT_FALSE(isReady(second));

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(second)).status.ok());
  ASSERT_TRUE(upstream_.waitForCalls(3));
  EXPECT_EQ(upstream_.calls()[2], Types{rgState("g")});  // a removed, after b was added

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(third)).response.removed());
  EXPECT_EQ(registry_->size(), 1u);
}

TEST_F(QueueTest, TooManyPendingChangesAreRefusedWithRetryInfo) {
  RegistrationService::Options options;
  options.limits.maxPendingChanges = 2;
  rebuild(options, worker_.executor());
  auto running = registerLater(registerRequest("a", {membership()}));
  ASSERT_TRUE(upstream_.waitForCalls(1));
  auto queued1 = registerLater(registerRequest("b", {rgState("1")}));
  auto queued2 = registerLater(registerRequest("c", {rgState("2")}));
  const auto refused = wait(registerLater(registerRequest("d", {rgState("3")})));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(reasonOf(refused.status), "TOO_MANY_PENDING_CHANGES");
  EXPECT_TRUE(parseStatusDetails(refused.status).retryInfo);

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(upstream_.waitForCalls(static_cast<std::size_t>(i + 1)));
    ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  }
  EXPECT_TRUE(wait(std::move(running)).status.ok());
  EXPECT_TRUE(wait(std::move(queued1)).status.ok());
  EXPECT_TRUE(wait(std::move(queued2)).status.ok());
  EXPECT_FALSE(registry_->get("d"));
}

TEST_F(QueueTest, ShutdownRefusesQueuedAndNewChangesButFinishesTheRunningOne) {
  auto running = registerLater(registerRequest("a", {membership()}));
  ASSERT_TRUE(upstream_.waitForCalls(1));
  auto queued = registerLater(registerRequest("b", {rgState("g")}));
  service_->shutdown();
  const auto refused = wait(std::move(queued));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(reasonOf(refused.status), "SHUTTING_DOWN");
  EXPECT_EQ(reasonOf(unregisterNow("a").status), "SHUTTING_DOWN");

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(running)).status.ok());
  EXPECT_TRUE(registry_->get("a"));
  EXPECT_FALSE(registry_->get("b"));
  EXPECT_EQ(upstream_.callCount(), 1u);
}

RegistrationService::RestoreResult restoreNow(RegistrationService& service) {
  auto promise = std::make_shared<std::promise<RegistrationService::RestoreResult>>();
  auto future = promise->get_future();
  service.restore([promise](RegistrationService::RestoreResult result) {
    promise->set_value(std::move(result));
  });
  EXPECT_EQ(future.wait_for(kDeadline), std::future_status::ready);
  return future.get();
}

RegistrationRecord stored(const std::string& id, Types types) {
  const auto time = std::chrono::system_clock::time_point(std::chrono::seconds(1'600'000'000));
  return {id, std::move(types), time, time};
}

TEST_F(Fixture, RestoreHandsTheUnionOfStoredRegistrationsToTheUpstream) {
  ASSERT_FALSE(registry_->put(stored("a", {membership(), rgState("g")})));
  ASSERT_FALSE(registry_->put(stored("b", {rgState("g")})));
  const auto result = restoreNow(*service_);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.registrations, 2u);
  EXPECT_EQ(result.types, 2u);
  // The upstream converges on it (and retries) on its own; no change is applied for it.
  ASSERT_EQ(upstream_.convergeCalls().size(), 1u);
  EXPECT_EQ(upstream_.convergeCalls()[0], normalizeTypes({membership(), rgState("g")}));
  EXPECT_EQ(upstream_.callCount(), 0u);
  EXPECT_TRUE(changes().empty());  // nothing changed in the registry
}

TEST_F(Fixture, RestoreOfNothingConvergesOnNothing) {
  const auto result = restoreNow(*service_);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.registrations, 0u);
  EXPECT_EQ(upstream_.convergeCalls(), std::vector<Types>{Types{}});
  EXPECT_EQ(upstream_.callCount(), 0u);
}

TEST_F(Fixture, ChangeAfterRestoreAsksForTheFullUnion) {
  ASSERT_FALSE(registry_->put(stored("a", {membership()})));
  restoreNow(*service_);
  // The cluster may not have confirmed the stored union yet: the change asks for all of it.
  ASSERT_TRUE(registerNow("b", {rgState("g")}).status.ok());
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({membership(), rgState("g")}));
}

// Restore runs in the queue of changes: a change queued after it asks the upstream after the
// restored union was handed over, so the upstream's desired set ends at the change's.
TEST_F(QueueTest, RestoreIsOrderedWithTheChanges) {
  ASSERT_FALSE(registry_->put(stored("a", {membership()})));
  auto running = registerLater(registerRequest("b", {rgState("g")}));
  ASSERT_TRUE(upstream_.waitForCalls(1));
  std::promise<void> restored;
  service_->restore([&](const RegistrationService::RestoreResult&) { restored.set_value(); });
  EXPECT_TRUE(upstream_.convergeCalls().empty()) << "restore overtook a running change";
  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(running)).status.ok());
  ASSERT_EQ(restored.get_future().wait_for(kDeadline), std::future_status::ready);
  ASSERT_EQ(upstream_.convergeCalls().size(), 1u);
  EXPECT_EQ(upstream_.convergeCalls()[0], normalizeTypes({membership(), rgState("g")}));
}

TEST_F(Fixture, RestoreDuringShutdownIsRefused) {
  service_->shutdown();
  const auto result = restoreNow(*service_);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(upstream_.convergeCalls().empty());
}

// A registry whose disk refuses writes (the file-size limit of the process, like a full disk):
// the client gets INTERNAL, the registry keeps its state, and the upstream is put back on the
// stored union. Runs in a child process because the limit is process-wide.
void registerWithFullDisk() {
  TempDir dir;
  auto registry = SqliteRegistry::open(dir.string()).registry;
  if (!registry) std::_Exit(10);
  if (registry->put(stored("kept", {membership()}))) std::_Exit(11);
  FakeUpstream upstream;
  RegistrationService service(*registry, upstream, [](std::function<void()> task) { task(); });
  service.restore([](RegistrationService::RestoreResult) {});

  std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
  std::error_code ec;
  std::uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path(), ec)) {
    bytes += entry.file_size();
  }
  const rlimit limit{bytes / 2, bytes / 2};  // below any file SQLite would extend
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) std::_Exit(12);

  grpc::Status status;
  Types wanted;  // many distinct, long types: a write that needs new pages
  for (int i = 0; i < 40; ++i) wanted.push_back(rgState(std::string(200, 'x') + std::to_string(i)));
  service.registerAsync(registerRequest("new", wanted),
                        [&](grpc::Status s, pb::Registration) { status = s; });
  if (status.error_code() != grpc::StatusCode::INTERNAL) std::_Exit(13);
  if (reasonOf(status) != "REGISTRY_WRITE_FAILED") std::_Exit(14);
  if (registry->get("new") || !registry->get("kept")) std::_Exit(15);
  // Put back: the upstream converges on the stored union again.
  if (upstream.convergeCalls().empty() || upstream.convergeCalls().back() != Types{membership()})
    std::_Exit(16);
  std::_Exit(0);
}

TEST(RegistryFailure, FailedWriteReportsInternalAndResyncsUpstream) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(registerWithFullDisk(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace gateway::test

namespace gateway::test {
namespace {

// A change whose caller gave up while it waited behind another is not applied: the client
// was told DEADLINE_EXCEEDED or CANCELLED, so committing it later would surprise it.
class CallerGoneTest : public QueueTestBase {};

TEST_F(CallerGoneTest, AChangeWhoseDeadlinePassedBeforeItsTurnIsNotApplied) {
  auto running = registerLater(registerRequest("a", {membership()}));
  ASSERT_TRUE(upstream_.waitForCalls(1));
  RegistrationService::Caller expired;
  expired.deadline = now();  // the fixture's clock moves on at every reading
  auto late = registerLater(registerRequest("b", {rgState("g")}), expired);
  RegistrationService::Caller patient;
  patient.deadline = std::chrono::system_clock::time_point::max() - std::chrono::hours(1);
  auto onTime = registerLater(registerRequest("c", {rgState("h")}), patient);

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(running)).status.ok());
  const auto refused = wait(std::move(late));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(reasonOf(refused.status), "CHANGE_NOT_STARTED");
  ASSERT_TRUE(upstream_.waitForCalls(2));
  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(onTime)).status.ok());

  EXPECT_FALSE(registry_->get("b"));
  EXPECT_TRUE(registry_->get("c"));
  // Only a's and c's unions went upstream: b's never did.
  EXPECT_EQ(upstream_.calls().back(), normalizeTypes({membership(), rgState("h")}));
  EXPECT_EQ(upstream_.callCount(), 2u);
}

TEST_F(CallerGoneTest, ACancelledCallersChangeIsNotAppliedButTheNextOneIs) {
  auto running = registerLater(registerRequest("a", {membership()}));
  ASSERT_TRUE(upstream_.waitForCalls(1));
  std::atomic<bool> cancelled{false};
  RegistrationService::Caller caller;
  caller.cancelled = [&cancelled] { return cancelled.load(); };
  auto gone = unregisterLater(unregisterRequest("a"), caller);
  cancelled = true;  // the client cancels while its change waits

  ASSERT_TRUE(upstream_.answerNext(FakeUpstream::ok()));
  EXPECT_TRUE(wait(std::move(running)).status.ok());
  const auto refused = wait(std::move(gone));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(reasonOf(refused.status), "CHANGE_NOT_STARTED");
  EXPECT_TRUE(registry_->get("a"));
  EXPECT_EQ(upstream_.callCount(), 1u);
}

}  // namespace
}  // namespace gateway::test
