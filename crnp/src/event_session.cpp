#include "event_session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "crnp/codec.hpp"

namespace crnp::detail {
namespace asio = boost::asio;
using boost::system::error_code;

EventSession::EventSession(asio::ip::tcp::socket socket, std::uint64_t sequence,
                           asio::ip::address peer, SessionTimeouts timeouts, ParseLimits limits,
                           Completion done)
    : socket_(std::move(socket)),
      sequence_(sequence),
      peer_(std::move(peer)),
      timeouts_(timeouts),
      limits_(limits),
      done_(std::move(done)) {}

std::chrono::milliseconds deadlineSweepInterval(std::chrono::milliseconds firstByte,
                                                std::chrono::milliseconds total) {
  return std::clamp(std::min(firstByte, total) / 10, std::chrono::milliseconds(1),
                    std::chrono::milliseconds(100));
}

void EventSession::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->started_ = std::chrono::steady_clock::now();
    self->readSome();
  });
}

void EventSession::expire() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    // The listener looked from another thread: bytes may have come since.
    const auto now = std::chrono::steady_clock::now();
    const auto& timeouts = self->timeouts_;
    if (now < self->started_ + timeouts.total &&
        (!self->received_.empty() || now < self->started_ + timeouts.firstByte)) {
      return;
    }
    if (self->received_.empty()) {
      return self->finish(
          SessionOutcome::TimedOut,
          "no data within " +
              std::to_string(std::min(self->timeouts_.firstByte, self->timeouts_.total).count()) +
              " ms");
    }
    self->finish(SessionOutcome::TimedOut,
                 "no end of stream within " + std::to_string(self->timeouts_.total.count()) +
                     " ms (" + std::to_string(self->received_.size()) + " bytes received)");
  });
}

void EventSession::abort() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->finish(SessionOutcome::Aborted, "listener stopped");
  });
}

void EventSession::readSome() {
  // Never ask for more than one byte past the limit: that byte is enough to know.
  const std::size_t room = limits_.maxBytes + 1 - received_.size();
  socket_.async_read_some(
      asio::buffer(chunk_.data(), std::min(room, chunk_.size())),
      [self = shared_from_this()](const error_code& ec, std::size_t n) { self->onRead(ec, n); });
}

void EventSession::onRead(const error_code& ec, std::size_t bytes) {
  if (finished_) return;
  received_.append(chunk_.data(), bytes);
  if (bytes > 0) receivedAny_.store(true, std::memory_order_relaxed);
  if (received_.size() > limits_.maxBytes) {
    return finish(SessionOutcome::TooLarge,
                  "event over " + std::to_string(limits_.maxBytes) + " bytes");
  }
  if (ec == asio::error::eof) return onEndOfStream();
  if (ec) return finish(SessionOutcome::IoError, "reading: " + ec.message());
  readSome();
}

void EventSession::onEndOfStream() {
  auto event = parseEvent(received_, limits_);
  if (!event) {
    return finish(SessionOutcome::ParseError, "not one valid SC_EVENT (" +
                                                  std::to_string(received_.size()) +
                                                  " bytes): " + event.error().message);
  }
  finish(SessionOutcome::Event, {}, std::move(event).value());
}

void EventSession::finish(SessionOutcome outcome, std::string reason, std::optional<Event> event) {
  if (finished_) return;
  finished_ = true;
  error_code ignored;
  socket_.close(ignored);
  received_ = std::string();  // release the buffer now, not when the last handler runs
  SessionResult result{sequence_, peer_, outcome, std::move(event), std::move(reason)};
  auto done = std::move(done_);
  done(std::move(result));
}

}  // namespace crnp::detail
