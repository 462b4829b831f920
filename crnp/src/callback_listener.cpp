// CRNP callback listener: accept loop, admission (allowlist, CallbackAdmission) and the
// release of parsed events (ReleaseOrder). One EventSession reads each connection.
#include "crnp/callback_listener.hpp"

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <mutex>
#include <vector>

#include "callback_admission.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/structured_log.hpp"
#include "event_session.hpp"
#include "log_limiter.hpp"
#include "release_order.hpp"

namespace crnp {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using detail::CallbackAdmission;
using detail::EventSession;
using detail::ReleaseOrder;
using detail::SessionOutcome;
using detail::SessionResult;

namespace {
/// Log lines of the callback port carry this component.
constexpr std::string_view kComponent = "callback";
/// Pause before accepting again after an error such as EMFILE, so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

detail::AdmissionLimits admissionLimits(const CallbackListenerOptions& options) {
  detail::AdmissionLimits limits;
  limits.maxConnections = std::max<std::size_t>(options.maxConnections, 1);
  limits.maxPerPeer = std::max<std::size_t>(options.maxConnectionsPerPeer, 1);
  limits.reservedForPriority = limits.maxConnections / 4;
  return limits;
}
}  // namespace

class CallbackListener::Impl : public std::enable_shared_from_this<CallbackListener::Impl> {
 public:
  Impl(asio::any_io_executor executor, CallbackListenerOptions options, EventHandler handler)
      : executor_(executor),
        strand_(asio::make_strand(executor)),
        handlerExecutor_(options.handlerExecutor
                             ? *options.handlerExecutor
                             : asio::any_io_executor(asio::make_strand(executor))),
        options_(std::move(options)),
        handler_(std::move(handler)),
        acceptor_(strand_),
        acceptRetry_(strand_),
        releaseTimer_(strand_),
        sweepTimer_(strand_),
        sweepInterval_(
            detail::deadlineSweepInterval(options_.firstByteTimeout, options_.readTimeout)),
        admission_(admissionLimits(options_), options_.priorityPeers),
        order_(options_.orderGrace) {}

  std::error_code start();
  void stop();
  tcp::endpoint localEndpoint() const;
  CallbackListenerStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Counters {
    std::atomic<std::uint64_t> accepted{0}, events{0}, rejectedPeer{0}, rejectedShare{0},
        acceptPauses{0}, parseErrors{0}, timedOut{0}, tooLarge{0}, ioErrors{0}, open{0}, waiting{0};
  };
  struct Delivery {
    Event event;
    asio::ip::address peer;
  };
  struct OpenSession {
    std::weak_ptr<EventSession> session;
    asio::ip::address peer;
    Clock::time_point opened;
  };

  void accept();
  void onAccept(const error_code& ec, tcp::socket socket);
  void admit(tcp::socket socket, const asio::ip::address& peer);
  void onSessionDone(SessionResult result);
  void countFailure(const SessionResult& result);
  void release();
  void deliver(std::vector<Delivery> deliveries);
  void sweepDeadlines();
  void armSweep();
  void publishGauges();
  void closeAll();

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;  // accept loop and the state below
  asio::any_io_executor handlerExecutor_;       // one handler call at a time, in order
  const CallbackListenerOptions options_;
  EventHandler handler_;
  tcp::acceptor acceptor_;
  asio::steady_timer acceptRetry_;
  asio::steady_timer releaseTimer_;
  // One timer for every open session's deadlines (first byte, whole document), checked every
  // sweepInterval_, rather than a timer per connection: a per-connection timer costs its
  // arming and its cancellation (a timerfd update when it was the earliest) on every event.
  asio::steady_timer sweepTimer_;
  const std::chrono::milliseconds sweepInterval_;
  bool sweeping_ = false;       // sweepTimer_ is armed
  tcp::endpoint acceptedPeer_;  // filled by the outstanding accept (no getpeername call)

  // Guards acceptor_ itself: stop() may close it from any thread while the strand starts
  // the next accept.
  mutable std::mutex acceptorMutex_;
  tcp::endpoint local_;  // under acceptorMutex_
  bool started_ = false;
  std::atomic<bool> stopped_{false};
  // Held while the handler runs, so that stop() returns only when no call is in progress.
  // Recursive: the handler itself may call stop().
  std::recursive_mutex handlerMutex_;
  Counters counters_;

  // On strand_ only.
  CallbackAdmission admission_;
  ReleaseOrder order_;
  bool accepting_ = false;  // an async_accept is outstanding (or its retry timer)
  std::map<std::uint64_t, OpenSession> sessions_;
  std::map<std::uint64_t, Delivery> completed_;  // parsed, waiting for order_ to release
  std::uint64_t nextSequence_ = 0;
  detail::LogLimiter warnings_;
};

std::error_code CallbackListener::Impl::start() {
  std::lock_guard lock(acceptorMutex_);
  if (stopped_) return error_code(asio::error::operation_aborted);
  if (started_) return error_code(asio::error::already_started);
  error_code ec;
  auto fail = [&](const char* what) {
    slog::error(kComponent, "cannot open the callback port",
                {{"step", what}, {"address", toString(options_.listen)}, {"error", ec.message()}});
    error_code ignored;
    acceptor_.close(ignored);
    return std::error_code(ec);
  };
  acceptor_.open(options_.listen.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR on");
  acceptor_.bind(options_.listen, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  local_ = acceptor_.local_endpoint(ec);
  if (ec) return fail("local endpoint of");
  started_ = true;
  slog::info(kComponent, "accepting events",
             {{"address", toString(local_)}, {"allowed", options_.allowedPeers.spec()}});
  asio::post(strand_, [self = shared_from_this()] { self->accept(); });
  return {};
}

void CallbackListener::Impl::stop() {
  if (!stopped_.exchange(true)) {
    {
      // Closed here rather than on the strand, so that the port refuses connections as soon
      // as stop() returns, even when no thread runs the executor any more.
      std::lock_guard lock(acceptorMutex_);
      error_code ignored;
      acceptor_.close(ignored);
    }
    asio::post(strand_, [self = shared_from_this()] { self->closeAll(); });
  }
  // Wait out a handler call in progress on another thread: none starts after this.
  std::lock_guard wait(handlerMutex_);
}

tcp::endpoint CallbackListener::Impl::localEndpoint() const {
  std::lock_guard lock(acceptorMutex_);
  return local_;
}

CallbackListenerStats CallbackListener::Impl::stats() const {
  CallbackListenerStats s;
  s.accepted = counters_.accepted.load();
  s.events = counters_.events.load();
  s.rejectedPeer = counters_.rejectedPeer.load();
  s.rejectedShare = counters_.rejectedShare.load();
  s.acceptPauses = counters_.acceptPauses.load();
  s.parseErrors = counters_.parseErrors.load();
  s.timedOut = counters_.timedOut.load();
  s.tooLarge = counters_.tooLarge.load();
  s.ioErrors = counters_.ioErrors.load();
  s.open = counters_.open.load();
  s.waiting = counters_.waiting.load();
  return s;
}

void CallbackListener::Impl::accept() {
  if (stopped_ || accepting_) return;
  if (!admission_.canAccept()) {
    // Not accepting is the back-pressure: the connection waits in the kernel's backlog and
    // is taken as soon as a session ends.
    ++counters_.acceptPauses;
    warnings_.warn(kComponent, "connection limit reached; accepting again when one ends",
                   {{"open", admission_.open()}, {"max", options_.maxConnections}});
    return;
  }
  std::lock_guard lock(acceptorMutex_);
  if (stopped_) return;
  accepting_ = true;
  // Each connection gets its own strand, so sessions read and parse in parallel.
  acceptor_.async_accept(asio::make_strand(executor_), acceptedPeer_,
                         [self = shared_from_this()](const error_code& ec, tcp::socket socket) {
                           self->onAccept(ec, std::move(socket));
                         });
}

void CallbackListener::Impl::onAccept(const error_code& ec, tcp::socket socket) {
  accepting_ = false;
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    warnings_.warn(kComponent, "accept failed", {{"error", ec.message()}});
    if (ec == asio::error::connection_aborted) return accept();
    // Out of descriptors or buffers: give the system a moment instead of spinning.
    accepting_ = true;
    acceptRetry_.expires_after(kAcceptRetryDelay);
    acceptRetry_.async_wait([self = shared_from_this()](const error_code& waitError) {
      self->accepting_ = false;
      if (!waitError) self->accept();
    });
    return;
  }
  // The address comes with the accept itself: a peer that already reset the connection is
  // found out by the session's first read (an I/O error), like one that resets later.
  admit(std::move(socket), normalize(acceptedPeer_.address()));
  accept();
}

void CallbackListener::Impl::admit(tcp::socket socket, const asio::ip::address& peer) {
  error_code ignored;
  if (!options_.allowedPeers.matches(peer)) {
    // Never read from a peer outside the allowlist.
    ++counters_.rejectedPeer;
    socket.close(ignored);
    warnings_.warn(kComponent, "closed connection: peer not allowed",
                   {{"peer", peer.to_string()}, {"allowed", options_.allowedPeers.spec()}});
    return;
  }
  switch (admission_.admit(peer)) {
    case CallbackAdmission::Verdict::Read:
      break;
    case CallbackAdmission::Verdict::OverPeerShare:
    case CallbackAdmission::Verdict::OverSharedPool:
      ++counters_.rejectedShare;
      socket.close(ignored);
      // Addresses other than the CRNP servers may hold max_per_peer connections each.
      warnings_.warn(kComponent, "closed connection unread: over its share",
                     {{"peer", peer.to_string()},
                      {"open_from_peer", admission_.openFrom(peer)},
                      {"open", admission_.open()},
                      {"servers", options_.priorityPeers.spec()},
                      {"max_per_peer", options_.maxConnectionsPerPeer}});
      return;
  }
  const std::uint64_t sequence = nextSequence_++;
  ++counters_.accepted;
  order_.opened(sequence, peer, Clock::now());
  detail::SessionTimeouts timeouts{options_.firstByteTimeout, options_.readTimeout};
  auto session = std::make_shared<EventSession>(
      std::move(socket), sequence, peer, timeouts, options_.limits,
      [self = shared_from_this()](SessionResult result) {
        // defer, not post: a continuation of the session's last handler, so this thread runs
        // it next rather than waking another one (a wake-up costs more than the work).
        asio::defer(self->strand_, [self, result = std::move(result)]() mutable {
          self->onSessionDone(std::move(result));
        });
      });
  sessions_.emplace(sequence, OpenSession{session, peer, Clock::now()});
  publishGauges();
  session->start();
  armSweep();
}

void CallbackListener::Impl::onSessionDone(SessionResult result) {
  if (sessions_.erase(result.sequence) == 0 || stopped_) return;
  admission_.release(result.peer);
  const bool withEvent = result.outcome == SessionOutcome::Event;
  if (withEvent && slog::enabled(spdlog::level::debug)) {
    slog::debug(kComponent, "event received",
                {{"class", result.event->eventClass},
                 {"subclass", result.event->subclass},
                 {"peer", result.peer.to_string()}});
  }
  if (withEvent) {
    completed_.emplace(result.sequence, Delivery{std::move(*result.event), result.peer});
  } else {
    countFailure(result);
  }
  order_.closed(result.sequence, withEvent);
  release();
  accept();  // a slot is free: resume if accepting had paused at the limit
}

void CallbackListener::Impl::countFailure(const SessionResult& result) {
  switch (result.outcome) {
    case SessionOutcome::ParseError:
      ++counters_.parseErrors;
      break;
    case SessionOutcome::TimedOut:
      ++counters_.timedOut;
      break;
    case SessionOutcome::TooLarge:
      ++counters_.tooLarge;
      break;
    case SessionOutcome::IoError:
      ++counters_.ioErrors;
      break;
    case SessionOutcome::Event:
    case SessionOutcome::Aborted:
      return;
  }
  warnings_.warn(kComponent, "dropped connection",
                 {{"peer", result.peer.to_string()}, {"reason", result.reason}});
}

void CallbackListener::Impl::release() {
  const auto now = Clock::now();
  std::vector<Delivery> ready;
  for (const std::uint64_t sequence : order_.takeReleasable(now)) {
    auto it = completed_.find(sequence);
    if (it == completed_.end()) continue;
    ready.push_back(std::move(it->second));
    completed_.erase(it);
  }
  // The gauges are current before the handler can see the events.
  publishGauges();
  if (!ready.empty()) deliver(std::move(ready));
  // An event held back by a connection still in its grace: look again when that grace ends.
  releaseTimer_.cancel();
  if (const auto next = order_.nextCheck(now)) {
    releaseTimer_.expires_at(*next);
    releaseTimer_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec && !self->stopped_) self->release();
    });
  }
}

void CallbackListener::Impl::deliver(std::vector<Delivery> deliveries) {
  // One hand-over for everything released together; deferred like the sessions' results.
  asio::defer(handlerExecutor_,
              [self = shared_from_this(), deliveries = std::move(deliveries)]() mutable {
                std::lock_guard lock(self->handlerMutex_);
                for (auto& delivery : deliveries) {
                  if (self->stopped_) return;
                  ++self->counters_.events;
                  self->handler_(std::move(delivery.event), delivery.peer);
                }
              });
}

void CallbackListener::Impl::sweepDeadlines() {
  const auto now = Clock::now();
  for (const auto& [sequence, open] : sessions_) {
    const auto session = open.session.lock();
    if (!session) continue;
    const bool quiet = !session->receivedAny();
    if ((quiet && now >= open.opened + std::min(options_.firstByteTimeout, options_.readTimeout)) ||
        now >= open.opened + options_.readTimeout) {
      session->expire();  // it checks again on its strand, and finishes
    }
  }
  armSweep();
}

void CallbackListener::Impl::armSweep() {
  if (sweeping_ || sessions_.empty()) return;  // idle: no timer runs
  sweeping_ = true;
  sweepTimer_.expires_after(sweepInterval_);
  sweepTimer_.async_wait([self = shared_from_this()](const error_code& ec) {
    self->sweeping_ = false;
    if (!ec && !self->stopped_) self->sweepDeadlines();
  });
}

void CallbackListener::Impl::publishGauges() {
  counters_.open.store(admission_.open());
  counters_.waiting.store(order_.waiting());
}

void CallbackListener::Impl::closeAll() {
  acceptRetry_.cancel();
  releaseTimer_.cancel();
  sweepTimer_.cancel();
  for (auto& [sequence, open] : sessions_) {
    if (auto session = open.session.lock()) session->abort();
    admission_.release(open.peer);
  }
  sessions_.clear();
  completed_.clear();
  order_.clear();
  publishGauges();
  slog::info(kComponent, "stopped");
}

CallbackListener::CallbackListener(asio::any_io_executor executor, CallbackListenerOptions options,
                                   EventHandler handler)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(handler))) {}

CallbackListener::~CallbackListener() { stop(); }

std::error_code CallbackListener::start() { return impl_->start(); }

void CallbackListener::stop() { impl_->stop(); }

tcp::endpoint CallbackListener::localEndpoint() const { return impl_->localEndpoint(); }

CallbackListenerStats CallbackListener::stats() const { return impl_->stats(); }

}  // namespace crnp
