#include "event_session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "crnp/codec.hpp"

namespace crnp::detail {
namespace asio = boost::asio;
using boost::system::error_code;

EventSession::EventSession(asio::ip::tcp::socket socket, std::uint64_t sequence,
                           asio::ip::address peer, std::chrono::milliseconds readTimeout,
                           ParseLimits limits, Completion done)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      sequence_(sequence),
      peer_(std::move(peer)),
      readTimeout_(readTimeout),
      limits_(limits),
      done_(std::move(done)) {}

void EventSession::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->deadline_.expires_after(self->readTimeout_);
    self->deadline_.async_wait([self](const error_code& ec) {
      if (ec) return;  // cancelled: the session finished first
      self->finish(SessionOutcome::TimedOut,
                   "no end of stream within " + std::to_string(self->readTimeout_.count()) +
                       " ms (" + std::to_string(self->received_.size()) + " bytes received)");
    });
    self->readSome();
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
