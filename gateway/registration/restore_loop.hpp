#pragma once
// RestoreLoop: puts the stored registrations back upstream at startup and keeps trying, with
// back-off, until the upstream has confirmed their union.
//
// Why a loop: CrnpUpstream maintains only what it has (or may have) registered. A gateway
// that starts while its cluster is unreachable has registered nothing, so without this its
// durable registrations would wait for the next Register to reach the cluster.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>

#include "backoff.hpp"
#include "registration_service.hpp"

namespace gateway {

class RestoreLoop : public std::enable_shared_from_this<RestoreLoop> {
 public:
  using Result = RegistrationService::RestoreResult;
  /// One restore attempt; calls its argument exactly once, on any thread.
  using Attempt = std::function<void(std::function<void(Result)>)>;
  /// After every attempt, on the loop's strand: its result, and the delay before the next
  /// one (zero: the loop is over, because the attempt succeeded or the loop was stopped).
  using Observer = std::function<void(const Result&, std::chrono::milliseconds retryIn)>;

  RestoreLoop(boost::asio::any_io_executor executor, Attempt attempt, Backoff backoff,
              Observer observer = {});

  /// Makes the first attempt (asynchronously). Call once.
  void start();
  /// No further attempts; an attempt in flight finishes but is not repeated. Idempotent.
  void stop();

 private:
  void run();
  void finished(Result result);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  Attempt attempt_;
  Backoff backoff_;
  Observer observer_;
  bool stopped_ = false;  // on strand_
};

}  // namespace gateway
