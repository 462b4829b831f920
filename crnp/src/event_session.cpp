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
      deadline_(socket_.get_executor()),
      sequence_(sequence),
      peer_(std::move(peer)),
      timeouts_(timeouts),
      limits_(limits),
      done_(std::move(done)) {}

void EventSession::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->started_ = std::chrono::steady_clock::now();
    // One timer: first at the first-byte deadline; if bytes came by then, at the total one.
    self->deadline_.expires_at(self->started_ +
                               std::min(self->timeouts_.firstByte, self->timeouts_.total));
    self->awaitDeadline();
    self->readSome();
  });
}

void EventSession::awaitDeadline() {
  deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec) self->onDeadline();  // otherwise cancelled: the session finished first
  });
}

void EventSession::onDeadline() {
  if (finished_) return;
  const auto total = started_ + timeouts_.total;
  if (received_.empty()) {
    return finish(SessionOutcome::TimedOut,
                  "no data within " + std::to_string(timeouts_.firstByte.count()) + " ms");
  }
  if (std::chrono::steady_clock::now() < total) {
    deadline_.expires_at(total);
    return awaitDeadline();
  }
  finish(SessionOutcome::TimedOut, "no end of stream within " +
                                       std::to_string(timeouts_.total.count()) + " ms (" +
                                       std::to_string(received_.size()) + " bytes received)");
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
  deadline_.cancel();
  socket_.close(ignored);
  received_ = std::string();  // release the buffer now, not when the last handler runs
  SessionResult result{sequence_, peer_, outcome, std::move(event), std::move(reason)};
  auto done = std::move(done_);
  done(std::move(result));
}

}  // namespace crnp::detail
