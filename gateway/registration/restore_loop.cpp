#include "restore_loop.hpp"

#include <boost/asio/post.hpp>

namespace gateway {
namespace asio = boost::asio;

RestoreLoop::RestoreLoop(asio::any_io_executor executor, Attempt attempt, Backoff backoff,
                         Observer observer)
    : strand_(asio::make_strand(std::move(executor))),
      timer_(strand_),
      attempt_(std::move(attempt)),
      backoff_(std::move(backoff)),
      observer_(std::move(observer)) {}

void RestoreLoop::start() {
  asio::post(strand_, [self = shared_from_this()] { self->run(); });
}

void RestoreLoop::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void RestoreLoop::run() {
  if (stopped_) return;
  // The result may arrive on any thread (the registration worker); come back to the strand.
  attempt_([self = shared_from_this()](Result result) {
    asio::post(self->strand_,
               [self, result = std::move(result)]() mutable { self->finished(std::move(result)); });
  });
}

void RestoreLoop::finished(Result result) {
  const bool again = !result.ok() && !stopped_;
  const auto delay = again ? backoff_.next() : std::chrono::milliseconds(0);
  if (observer_) observer_(result, delay);
  if (!again) return;
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->run();
  });
}

}  // namespace gateway
