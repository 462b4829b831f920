#include "delivery_queue.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "crnp/endpoint.hpp"

namespace crnp::sim {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {}  // namespace

DeliveryQueue::DeliveryQueue(asio::any_io_executor executor, asio::ip::tcp::endpoint callback,
                             DeliverySettings settings, std::shared_ptr<FaultInjector> faults,
                             std::shared_ptr<ServerCounters> counters, GiveUpHandler onGiveUp)
    : callback_(std::move(callback)),
      settings_(settings),
      faults_(std::move(faults)),
      counters_(std::move(counters)),
      onGiveUp_(std::move(onGiveUp)),
      strand_(asio::make_strand(executor)),
      socket_(strand_),
      deadline_(strand_),
      retryTimer_(strand_) {}

DeliveryQueue::PushResult DeliveryQueue::push(std::shared_ptr<const std::string> document) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return PushResult::Closed;
    if (pending_.size() >= settings_.maxQueued) {
      closed_ = true;
      pending_.clear();
    } else {
      pending_.push_back(std::move(document));
      if (running_) return PushResult::Queued;
      running_ = true;
      asio::post(strand_, [self = shared_from_this()] { self->attemptFront(); });
      return PushResult::Queued;
    }
  }
  asio::dispatch(strand_, [self = shared_from_this()] { self->abortOnStrand(); });
  return PushResult::Overflow;
}

void DeliveryQueue::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    pending_.clear();
  }
  asio::dispatch(strand_, [self = shared_from_this()] { self->abortOnStrand(); });
}

DeliveryQueue::Status DeliveryQueue::status() const {
  std::lock_guard lock(mutex_);
  return {delivered_, failedAttempts_, pending_.size()};
}

bool DeliveryQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void DeliveryQueue::abortOnStrand() {
  attemptOpen_ = false;
  deadline_.cancel();
  retryTimer_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

void DeliveryQueue::attemptFront() {
  std::shared_ptr<const std::string> document;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || pending_.empty()) {
      running_ = false;
      return;
    }
    document = pending_.front();
  }
  const std::uint64_t attempt = ++attempt_;
  attemptOpen_ = true;
  auto self = shared_from_this();
  // Client_timeout bounds connect + write + close together.
  deadline_.expires_after(settings_.clientTimeout);
  deadline_.async_wait([self, attempt](error_code ec) {
    if (!ec) self->finishAttempt(attempt, asio::error::timed_out);
  });
  if (faults_->take(FaultKind::RefuseDelivery)) {
    asio::post(strand_,
               [self, attempt] { self->finishAttempt(attempt, asio::error::connection_refused); });
    return;
  }
  if (faults_->take(FaultKind::BlackholeDelivery)) return;  // only the deadline ends it

  socket_.async_connect(callback_, [self, attempt, document](error_code ec) {
    if (ec || attempt != self->attempt_ || !self->attemptOpen_) {
      self->finishAttempt(attempt, ec ? ec : asio::error::operation_aborted);
      return;
    }
    asio::async_write(self->socket_, asio::buffer(*document),
                      [self, attempt, document](error_code writeError, std::size_t) {
                        self->finishAttempt(attempt, writeError);
                      });
  });
}

void DeliveryQueue::finishAttempt(std::uint64_t attempt, error_code ec) {
  if (attempt != attempt_ || !attemptOpen_) return;  // timed out, aborted, or stale
  attemptOpen_ = false;
  deadline_.cancel();
  error_code ignored;
  if (!ec) socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (ec) {
    onFailure(ec);
    return;
  }
  failuresOfFront_ = 0;
  {
    std::lock_guard lock(mutex_);
    if (!closed_ && !pending_.empty()) pending_.pop_front();
    ++delivered_;
  }
  ServerCounters::bump(counters_->delivered);
  asio::post(strand_, [self = shared_from_this()] { self->attemptFront(); });
}

void DeliveryQueue::onFailure(const error_code& ec) {
  ++failuresOfFront_;
  {
    std::lock_guard lock(mutex_);
    ++failedAttempts_;
  }
  ServerCounters::bump(counters_->deliveryFailures);
  spdlog::debug("delivery to {} failed (attempt {}): {}", crnp::toString(callback_),
                failuresOfFront_, ec.message());
  if (failuresOfFront_ > settings_.retryCount) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      running_ = false;
      pending_.clear();
    }
    spdlog::warn("giving up on client {} after {} failed attempts ({}); removing it",
                 crnp::toString(callback_), failuresOfFront_, ec.message());
    onGiveUp_(shared_from_this());
    return;
  }
  retryTimer_.expires_after(settings_.retryInterval);
  retryTimer_.async_wait([self = shared_from_this()](error_code) { self->attemptFront(); });
}

}  // namespace crnp::sim
