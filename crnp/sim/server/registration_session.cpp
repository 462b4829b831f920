#include "registration_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>

#include "crnp/codec.hpp"

namespace crnp::sim {

namespace asio = boost::asio;
using boost::system::error_code;

std::size_t SessionTracker::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionTracker::add(const std::shared_ptr<RegistrationSession>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session.get()] = session;
}

void SessionTracker::remove(const RegistrationSession* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

void SessionTracker::closeAll() {
  std::vector<std::shared_ptr<RegistrationSession>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->close();
}

RegistrationSession::RegistrationSession(asio::ip::tcp::socket socket, SessionSettings settings,
                                         std::shared_ptr<RequestProcessor> processor,
                                         std::shared_ptr<ServerCounters> counters,
                                         std::shared_ptr<SessionTracker> tracker)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      delayTimer_(socket_.get_executor()),
      settings_(settings),
      processor_(std::move(processor)),
      counters_(std::move(counters)),
      tracker_(std::move(tracker)),
      framer_(settings.maxBytes, settings.maxDepth) {
  error_code ec;
  source_ = socket_.remote_endpoint(ec).address();
}

RegistrationSession::~RegistrationSession() { tracker_->remove(this); }

void RegistrationSession::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->armDeadline(self->settings_.requestTimeout);
    self->doRead();
  });
}

void RegistrationSession::close() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->closeNow(); });
}

void RegistrationSession::armDeadline(std::chrono::milliseconds timeout) {
  deadline_.expires_after(timeout);
  deadline_.async_wait([self = shared_from_this()](error_code ec) {
    // A re-armed timer cancels the old wait; check the expiry in case it had already fired.
    if (ec || self->deadline_.expiry() > asio::steady_timer::clock_type::now()) return;
    self->onDeadline();
  });
}

void RegistrationSession::onDeadline() {
  if (phase_ == Phase::Reading) {
    ServerCounters::bump(counters_->requests);
    ServerCounters::bump(counters_->requestTimeouts);
    spdlog::info("no complete request from {} within {} ms ({} bytes); closing",
                 source_.to_string(), settings_.requestTimeout.count(), framer_.size());
  }
  closeNow();
}

void RegistrationSession::doRead() {
  socket_.async_read_some(
      asio::buffer(buffer_),
      [self = shared_from_this()](error_code ec, std::size_t bytes) { self->onRead(ec, bytes); });
}

void RegistrationSession::onRead(const error_code& ec, std::size_t bytes) {
  if (phase_ != Phase::Reading) return;
  if (ec == asio::error::eof && framer_.size() > 0) {
    // The client half-closed before the root element closed; it can still read an answer.
    respond(processor_->handleFramingError(
        source_, "the connection was closed before the document was complete"));
    return;
  }
  if (ec) {
    closeNow();  // nothing sent (a probe) or a reset: nobody to answer
    return;
  }
  switch (framer_.feed(std::string_view(buffer_.data(), bytes))) {
    case XmlFramer::Status::NeedMore:
      doRead();
      return;
    case XmlFramer::Status::Error:
      respond(processor_->handleFramingError(source_, framer_.error()));
      return;
    case XmlFramer::Status::Complete:
      respond(processor_->handleDocument(source_, framer_.frame(), framer_.trailing()));
      return;
  }
}

void RegistrationSession::respond(RequestOutcome outcome) {
  phase_ = Phase::Replying;
  ServerCounters::bump(counters_->requests);
  if (!outcome.reply) {
    closeNow();
    return;
  }
  counters_->countReply(outcome.reply->code);
  replyText_ = writeReply(*outcome.reply);
  armDeadline(settings_.requestTimeout + outcome.delay);  // bounds the delay and the write
  if (outcome.delay.count() <= 0) {
    doWrite();
    return;
  }
  delayTimer_.expires_after(outcome.delay);
  delayTimer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec && self->phase_ == Phase::Replying) self->doWrite();
  });
}

void RegistrationSession::doWrite() {
  asio::async_write(socket_, asio::buffer(replyText_),
                    [self = shared_from_this()](error_code ec, std::size_t) { self->onWrite(ec); });
}

void RegistrationSession::onWrite(const error_code& ec) {
  if (ec || phase_ != Phase::Replying) {
    closeNow();
    return;
  }
  // Graceful close: our FIN follows the reply; then wait (briefly) for the client's close so
  // that unread bytes on our side do not turn the close into a reset that could drop the reply.
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  phase_ = Phase::Lingering;
  armDeadline(settings_.lingerTimeout);
  doDrain();
}

void RegistrationSession::doDrain() {
  socket_.async_read_some(asio::buffer(buffer_),
                          [self = shared_from_this()](error_code ec, std::size_t) {
                            if (self->phase_ != Phase::Lingering) return;
                            if (ec) {
                              self->closeNow();
                              return;
                            }
                            self->doDrain();  // discard whatever the client still sends
                          });
}

void RegistrationSession::closeNow() {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closed;
  deadline_.cancel();
  delayTimer_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace crnp::sim
