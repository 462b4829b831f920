// CrnpUpstream's life cycle, the desired set (applyTypes, converge) and the event path. The
// exchanges and the maintenance timer are in upstream_exchange.cpp.
#include "crnp_upstream.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <random>
#include <utility>

#include "callback_sources.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/matching.hpp"
#include "crnp/structured_log.hpp"
#include "crnp_upstream_impl.hpp"

namespace gateway {
namespace asio = boost::asio;
namespace {
constexpr std::string_view kLogComponent = "upstream";
}  // namespace

CrnpUpstream::Impl::Impl(asio::any_io_executor executor, UpstreamConfig config, EventSink onEvent)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      config_(std::move(config)),
      onEvent_(std::move(onEvent)),
      backoff_(config_.backoffInitial, config_.backoffMax, config_.jitter,
               config_.randomSeed ? *config_.randomSeed : std::random_device{}()),
      timer_(strand_),
      lapseTimer_(executor_) {
  if (!config_.servers.empty()) board_.setServer(config_.servers.front().toString());
}

std::error_code CrnpUpstream::Impl::start() {
  {
    std::lock_guard lock(listenerMutex_);
    if (startCalled_) return std::make_error_code(std::errc::operation_in_progress);
    startCalled_ = true;
  }
  if (config_.servers.empty()) {
    crnp::slog::error(kLogComponent, "no CRNP server configured");
    return std::make_error_code(std::errc::invalid_argument);
  }
  // The servers' own addresses: the default allowlist, and never starved by other allowed
  // peers when --callback-allow is wider.
  std::string warnings;
  auto servers = resolveCallbackSources(config_.servers, &warnings);
  if (!warnings.empty()) {
    crnp::slog::warn(kLogComponent, "some CRNP server addresses did not resolve",
                     {{"detail", warnings}});
  }
  crnp::AddressFilter allowed;
  if (config_.allowedCallbackSources) {
    allowed = *config_.allowedCallbackSources;
  } else if (servers) {
    allowed = *servers;
  } else {
    crnp::slog::error(kLogComponent, "no address to accept events from", {{"detail", warnings}});
    return std::make_error_code(std::errc::host_unreachable);
  }

  crnp::CallbackListenerOptions options;
  options.listen = config_.callbackListen;
  options.allowedPeers = allowed;
  if (servers) options.priorityPeers = std::move(*servers);
  options.maxConnections = config_.callbackMaxConnections;
  options.maxConnectionsPerPeer = config_.callbackMaxConnectionsPerPeer;
  options.firstByteTimeout = config_.callbackFirstByteTimeout;
  options.readTimeout = config_.callbackReadTimeout;
  // Events arrive on this object's strand, in release order, with no hop of our own.
  options.handlerExecutor = strand_;
  // The listener lives in this object: its handler must not keep it alive.
  std::weak_ptr<Impl> weak = weak_from_this();
  auto listener = std::make_shared<crnp::CallbackListener>(
      executor_, options, [weak](crnp::Event event, const asio::ip::address&) {
        if (auto self = weak.lock()) self->onCallbackEvent(std::move(event));
      });
  if (const auto ec = listener->start()) {
    crnp::slog::error(
        kLogComponent, "callback listener failed to start",
        {{"address", crnp::toString(config_.callbackListen)}, {"error", ec.message()}});
    return ec;
  }
  const auto endpoint = listener->localEndpoint();
  callbackPort_ = endpoint.port();
  {
    std::lock_guard lock(listenerMutex_);
    listener_ = std::move(listener);
  }
  crnp::slog::info(kLogComponent, "callback listener started",
                   {{"address", crnp::toString(endpoint)}, {"allowed", allowed.spec()}});
  asio::dispatch(strand_, [self = shared_from_this()] { self->onStarted(); });
  return {};
}

void CrnpUpstream::Impl::onStarted() {
  if (stopped_) return;
  started_ = true;
  // With nothing to register there is nothing that could be unhealthy yet.
  if (!pending_ && desired_.empty() && confirmed_.empty()) reportHealthy();
  if (maintenanceNeeded()) maintenanceDue_ = true;  // converge() came before start()
  pump();
}

void CrnpUpstream::Impl::requestStop() {
  // The listener stops synchronously: once this returns the callback port is closed and no
  // further event reaches onEvent_, even if no thread runs the strand any more.
  stopRequested_ = true;
  if (auto listener = this->listener()) listener->stop();
  asio::dispatch(strand_, [self = shared_from_this()] { self->doStop(); });
}

void CrnpUpstream::Impl::doStop() {
  if (stopped_) return;
  stopped_ = true;
  cancelTimer();
  lapseTimer_.cancel();
  if (auto waiting = std::exchange(pending_, std::nullopt)) {
    waiting->done(localResult(crnp::RegistrationOutcome::NetworkError, "upstream stopped"));
  }
  // The exchange in flight cannot be cancelled, but its caller need not wait for its timeouts
  // (a shutdown must not): it is answered now, and onReply will find no caller to answer.
  if (inFlight_ && inFlight_->user) {
    auto caller = std::move(*inFlight_->user);
    inFlight_->user.reset();
    caller.done(localResult(crnp::RegistrationOutcome::NetworkError,
                            "upstream stopped before the server answered"));
  }
  crnp::slog::info(kLogComponent, "stopped");
}

std::shared_ptr<crnp::CallbackListener> CrnpUpstream::Impl::listener() const {
  std::lock_guard lock(listenerMutex_);
  return listener_;
}

void CrnpUpstream::Impl::applyTypes(EventTypes types, Done done) {
  // Posted, never run inline: `done` must not run inside the caller's applyTypes.
  asio::post(strand_, [self = shared_from_this(),
                       apply = PendingApply{std::move(types), std::move(done)}]() mutable {
    self->submit(std::move(apply));
  });
}

void CrnpUpstream::Impl::submit(PendingApply apply) {
  if (stopped_) {
    return apply.done(localResult(crnp::RegistrationOutcome::NetworkError, "upstream stopped"));
  }
  apply.types = normalizeTypes(std::move(apply.types));
  if (apply.types == desired_ && desired_ == confirmed_ && state_ != RegistrationState::Unknown) {
    // Nothing to send: answered at once, even while a maintenance exchange is in flight.
    return apply.done(localResult(crnp::RegistrationOutcome::Replied, "no change"));
  }
  if (pending_ || (inFlight_ && inFlight_->user)) {
    // The one queue of changes is the caller's (the registration service runs one at a time).
    crnp::slog::warn(kLogComponent, "a registration change arrived while another is in progress");
    return apply.done(localResult(crnp::RegistrationOutcome::NetworkError,
                                  "another registration change is in progress"));
  }
  pending_ = std::move(apply);
  pump();
}

void CrnpUpstream::Impl::converge(EventTypes types) {
  asio::post(strand_, [self = shared_from_this(), types = std::move(types)]() mutable {
    self->setDesired(std::move(types));
  });
}

void CrnpUpstream::Impl::setDesired(EventTypes types) {
  if (stopped_) return;
  desired_ = normalizeTypes(std::move(types));
  if (desired_ == confirmed_ && state_ != RegistrationState::Unknown) return;
  // A new target: try it now rather than at the end of an earlier back-off.
  backoff_.reset();
  cancelTimer();
  if (maintenanceNeeded()) maintenanceDue_ = true;
  pump();
}

void CrnpUpstream::Impl::onCallbackEvent(crnp::Event event) {
  // The listener calls no handler once its stop() returned (it runs them on our strand, so
  // there is no hop of ours in between); the check keeps stop()'s promise explicit here too.
  if (stopped_ || stopRequested_) return;
  lastEventAt_ = Clock::now();
  board_.countEvent(event.subclass);
  if (inFlight_ && inFlight_->proofBaseline && !inFlight_->proven) {
    if (crnp::matchesAny(inFlight_->plan.events, event) &&
        !crnp::matchesAny(*inFlight_->proofBaseline, event)) {
      inFlight_->proven = true;
    }
  }
  if (onEvent_) onEvent_(std::move(event));
}

void CrnpUpstream::Impl::pump() {
  if (!started_ || stopped_ || busy_) return;
  if (pending_) {
    busy_ = true;
    PendingApply apply = std::move(*pending_);
    pending_.reset();
    return beginUser(std::move(apply));
  }
  if (maintenanceDue_) {
    maintenanceDue_ = false;
    busy_ = true;
    beginMaintenance();
  }
}

std::string CrnpUpstream::Impl::serverName() const {
  return config_.servers.empty() ? std::string() : config_.servers[serverIndex_].toString();
}

UpstreamResult CrnpUpstream::Impl::localResult(crnp::RegistrationOutcome outcome,
                                               std::string message) const {
  UpstreamResult result;
  result.outcome = outcome;
  if (outcome == crnp::RegistrationOutcome::Replied) result.code = crnp::StatusCode::Ok;
  result.message = std::move(message);
  result.server = serverName();
  return result;
}

// ---- CrnpUpstream: the public face ----

CrnpUpstream::CrnpUpstream(asio::any_io_executor executor, UpstreamConfig config, EventSink onEvent)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), std::move(onEvent))) {}

CrnpUpstream::~CrnpUpstream() { impl_->requestStop(); }

std::error_code CrnpUpstream::start() { return impl_->start(); }

void CrnpUpstream::stop() { impl_->requestStop(); }

void CrnpUpstream::applyTypes(std::vector<crnp::EventType> types,
                              std::function<void(UpstreamResult)> done) {
  impl_->applyTypes(std::move(types), std::move(done));
}

void CrnpUpstream::converge(std::vector<crnp::EventType> types) {
  impl_->converge(std::move(types));
}

UpstreamHealth CrnpUpstream::health() const { return impl_->board().snapshot(); }

void CrnpUpstream::setHealthListener(std::function<void(const UpstreamHealth&)> listener) {
  impl_->board().setListener(std::move(listener));
}

boost::asio::ip::tcp::endpoint CrnpUpstream::callbackEndpoint() const {
  auto listener = impl_->listener();
  return listener ? listener->localEndpoint() : boost::asio::ip::tcp::endpoint{};
}

crnp::CallbackListenerStats CrnpUpstream::callbackStats() const {
  auto listener = impl_->listener();
  return listener ? listener->stats() : crnp::CallbackListenerStats{};
}

EventTypes CrnpUpstream::confirmedTypes() const { return impl_->board().confirmedTypes(); }

UpstreamStats CrnpUpstream::stats() const { return impl_->board().stats(); }

}  // namespace gateway
