// RestoreLoop over a real RegistrationService and registry with a scripted upstream: retries
// with back-off until the union is confirmed, stops cleanly, and does nothing when nothing
// is stored.
#include "restore_loop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "registration_fixture.hpp"

namespace gateway::test {
namespace {

using std::chrono::milliseconds;

struct Attempted {
  grpc::StatusCode code;
  milliseconds retryIn;
};

class RestoreLoopTest : public RegistrationFixture {
 protected:
  std::shared_ptr<RestoreLoop> makeLoop(milliseconds initialDelay) {
    return std::make_shared<RestoreLoop>(
        io_.get_executor(),
        [this](std::function<void(RestoreLoop::Result)> done) {
          service_->restore(std::move(done));
        },
        Backoff(initialDelay, initialDelay * 4, 0.0, 7),
        [this](const RestoreLoop::Result& result, milliseconds retryIn) {
          std::lock_guard lock(mutex_);
          attempts_.push_back({result.status.error_code(), retryIn});
          changed_.notify_all();
        });
  }

  bool waitForAttempts(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return attempts_.size() >= count; });
  }

  std::vector<Attempted> attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

  void store(const std::string& id, Types types) {
    const auto time = std::chrono::system_clock::now();
    ASSERT_FALSE(registry_->put({id, std::move(types), time, time}));
  }

  boost::asio::io_context io_;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Attempted> attempts_;
};

TEST_F(RestoreLoopTest, RetriesWithBackoffUntilTheUnionIsConfirmed) {
  store("a", {membership()});
  upstream_.script(FakeUpstream::transport(crnp::RegistrationOutcome::ConnectionRefused));
  upstream_.script(FakeUpstream::reply(crnp::StatusCode::Retry));
  auto loop = makeLoop(milliseconds(5));
  loop->start();
  std::thread runner([this] { io_.run(); });  // returns once the loop has nothing left to do
  runner.join();

  const auto seen = attempts();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(seen[0].retryIn, milliseconds(5));
  EXPECT_EQ(seen[1].code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(seen[1].retryIn, milliseconds(10));  // doubled
  EXPECT_EQ(seen[2].code, grpc::StatusCode::OK);
  EXPECT_EQ(seen[2].retryIn, milliseconds(0));
  ASSERT_EQ(upstream_.callCount(), 3u);
  EXPECT_EQ(upstream_.calls()[2], Types{membership()});
  EXPECT_EQ(registry_->size(), 1u);  // nothing was lost on the way
}

TEST_F(RestoreLoopTest, StopCancelsThePendingRetry) {
  store("a", {membership()});
  upstream_.script(FakeUpstream::transport(crnp::RegistrationOutcome::ConnectionRefused));
  auto loop = makeLoop(std::chrono::minutes(10));
  loop->start();
  std::thread runner([this] { io_.run(); });
  ASSERT_TRUE(waitForAttempts(1));
  EXPECT_EQ(attempts()[0].retryIn, std::chrono::minutes(10));
  loop->stop();
  runner.join();  // the ten-minute timer was cancelled, or this would not return in time
  EXPECT_EQ(attempts().size(), 1u);
  EXPECT_EQ(upstream_.callCount(), 1u);
}

TEST_F(RestoreLoopTest, StoppedBeforeTheAnswerDoesNotRetry) {
  store("a", {membership()});
  upstream_.hold(true);
  auto loop = makeLoop(milliseconds(1));
  loop->start();
  // The held attempt leaves the io_context without work until it is answered.
  auto work = boost::asio::make_work_guard(io_);
  std::thread runner([this] { io_.run(); });
  ASSERT_TRUE(upstream_.waitForCalls(1));
  loop->stop();
  upstream_.hold(false);
  ASSERT_TRUE(
      upstream_.answerNext(FakeUpstream::transport(crnp::RegistrationOutcome::ConnectionRefused)));
  work.reset();  // run() still handles what was posted: stop(), then the answer
  runner.join();
  const auto seen = attempts();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(seen[0].retryIn, milliseconds(0)) << "no retry after stop()";
  EXPECT_EQ(upstream_.callCount(), 1u);
}

TEST_F(RestoreLoopTest, NothingStoredIsDoneAtOnceWithoutAsking) {
  auto loop = makeLoop(milliseconds(1));
  loop->start();
  io_.run();
  const auto seen = attempts();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, grpc::StatusCode::OK);
  EXPECT_EQ(upstream_.callCount(), 0u);
}

}  // namespace
}  // namespace gateway::test
