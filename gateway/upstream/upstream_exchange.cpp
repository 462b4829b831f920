// CrnpUpstream's registration exchanges (one at a time, on the strand) and the maintenance
// timer that keeps the registration alive. See crnp_upstream.hpp for the rules.
#include <algorithm>

#include "crnp/structured_log.hpp"
#include "crnp_upstream_impl.hpp"
#include "exchange_decisions.hpp"

namespace gateway {
namespace {

constexpr std::string_view kLogComponent = "upstream";

using crnp::RegistrationOutcome;
using Kind = RegistrationPlan::Kind;

/// The SC_REPLY code when the server answered, else the transport outcome.
std::string resultLabel(const crnp::RegistrationResult& result) {
  if (result.outcome == RegistrationOutcome::Replied && result.reply) {
    return std::string(crnp::toString(result.reply->code));
  }
  return std::string(crnp::toString(result.outcome));
}

UpstreamResult toUpstreamResult(const crnp::RegistrationResult& result) {
  UpstreamResult out;
  out.outcome = result.outcome;
  if (result.reply) {
    out.code = result.reply->code;
    out.message = result.reply->message;
  } else {
    out.message = result.detail;
  }
  out.server = result.server;
  return out;
}

/// An OK the server did not literally send, with the reason in the message.
UpstreamResult okBecause(const crnp::RegistrationResult& result, std::string why) {
  UpstreamResult out;
  out.outcome = RegistrationOutcome::Replied;
  out.code = crnp::StatusCode::Ok;
  out.message = std::move(why);
  out.server = result.server;
  return out;
}

std::string describe(const UpstreamResult& result) {
  std::string text = result.server + ": ";
  if (result.outcome == RegistrationOutcome::Replied && result.code) {
    text += std::string(crnp::toString(*result.code));
  } else {
    text += std::string(crnp::toString(result.outcome));
  }
  if (!result.message.empty()) text += " (" + result.message + ")";
  return text;
}

crnp::RegType toRegType(Kind kind) {
  switch (kind) {
    case Kind::AddEvents:
      return crnp::RegType::AddEvents;
    case Kind::RemoveEvents:
      return crnp::RegType::RemoveEvents;
    case Kind::RemoveClient:
      return crnp::RegType::RemoveClient;
    case Kind::None:
    case Kind::AddClient:
      break;
  }
  return crnp::RegType::AddClient;
}

}  // namespace

void CrnpUpstream::Impl::beginUser(PendingApply apply) {
  Exchange exchange;
  exchange.desired = normalizeTypes(std::move(apply.types));
  exchange.user = std::move(apply);
  exchange.serversLeft = config_.servers.size() - 1;
  proceed(std::move(exchange));
}

void CrnpUpstream::Impl::beginMaintenance() {
  Exchange exchange;
  exchange.desired = desired_;
  exchange.serversLeft = config_.servers.size() - 1;
  proceed(std::move(exchange));
}

void CrnpUpstream::Impl::proceed(Exchange exchange) {
  exchange.plan = exchange.user ? planChange(state_, confirmed_, exchange.desired)
                                : maintenancePlan(state_, exchange.desired);
  if (exchange.plan.kind != Kind::None) return send(std::move(exchange));
  if (exchange.user) {
    // Also the case "nothing wanted and nothing registered on this server".
    confirmed_ = exchange.desired;
    desired_ = confirmed_;
    board_.setConfirmedTypes(confirmed_);
    if (confirmed_.empty() && state_ == RegistrationState::NotRegistered) {
      reportHealthy();  // nothing to keep registered
    }
    exchange.user->done(localResult(RegistrationOutcome::Replied, "no change"));
  }
  finishExchange();
}

void CrnpUpstream::Impl::send(Exchange exchange) {
  const Kind kind = exchange.plan.kind;
  crnp::Registration registration;
  registration.port = callbackPort_;
  registration.type = toRegType(kind);
  registration.events = exchange.plan.events;

  crnp::RegistrationClientOptions options = config_.client;
  if (config_.registrationSource) {
    options.localAddress = config_.registrationSource;
  } else if (kind != Kind::AddClient && registeredFrom_) {
    // The server takes later messages only from the IP that ADD_CLIENT came from.
    options.localAddress = registeredFrom_;
  }

  exchange.proofBaseline.reset();
  exchange.proven = false;
  if (kind == Kind::AddClient || kind == Kind::AddEvents) {
    if (state_ == RegistrationState::NotRegistered) exchange.proofBaseline = EventTypes{};
    if (state_ == RegistrationState::Registered) exchange.proofBaseline = confirmed_;
  }

  const crnp::ServerAddress server = config_.servers[serverIndex_];
  board_.setServer(server.toString());
  crnp::slog::debug(kLogComponent, "registration sent",
                    {{"kind", toString(kind)},
                     {"server", server.toString()},
                     {"types", registration.events.size()},
                     {"maintenance", !exchange.user}});
  inFlight_ = std::move(exchange);
  crnp::asyncRegister(
      strand_, server, registration, options,
      [self = shared_from_this(), sentAt = Clock::now()](crnp::RegistrationResult reply) {
        self->board_.countExchange(resultLabel(reply), Clock::now() - sentAt);
        self->onReply(std::move(reply));
      });
}

void CrnpUpstream::Impl::onReply(crnp::RegistrationResult reply) {
  Exchange exchange = std::move(*inFlight_);
  inFlight_.reset();
  UpstreamResult result = toUpstreamResult(reply);
  if (stopped_) {
    if (exchange.user) exchange.user->done(std::move(result));
    busy_ = false;
    return;
  }
  const Kind kind = exchange.plan.kind;
  const ReplyDecision decision =
      decideReply({kind, exchange.proven, exchange.fellBack, exchange.serversLeft}, reply);
  switch (decision.action) {
    case ReplyAction::Succeed:
      return succeed(std::move(exchange), reply, std::move(result));
    case ReplyAction::SucceedProven:
      return succeed(std::move(exchange), reply,
                     okBecause(reply, "no reply (" + reply.detail +
                                          "), but an event only the new registration matches "
                                          "arrived meanwhile"));
    case ReplyAction::SucceedUnregistered:
      crnp::slog::info(kLogComponent,
                       "server answered INVALID to REMOVE_CLIENT: not registered there",
                       {{"server", reply.server}});
      return succeed(std::move(exchange), reply,
                     okBecause(reply, "not registered (server answered INVALID: " +
                                          reply.reply->message + ")"));
    case ReplyAction::FallBackToAddClient:
      crnp::slog::info(kLogComponent, "server answered INVALID; registering again in full",
                       {{"server", reply.server}, {"kind", toString(kind)}});
      exchange.fellBack = true;
      state_ = RegistrationState::NotRegistered;
      registeredFrom_.reset();
      return proceed(std::move(exchange));
    case ReplyAction::FailOver:
      --exchange.serversLeft;
      crnp::slog::warn(kLogComponent, "server unreachable; failing over",
                       {{"server", reply.server}, {"error", describe(result)}});
      switchServer();
      return proceed(std::move(exchange));
    case ReplyAction::Fail:
      break;
  }
  fail(std::move(exchange), decision.effect, std::move(result));
}

void CrnpUpstream::Impl::succeed(Exchange exchange, const crnp::RegistrationResult& reply,
                                 UpstreamResult result) {
  const Kind kind = exchange.plan.kind;
  const bool wasHealthy = board_.snapshot().healthy;
  confirmed_ = std::move(exchange.desired);
  if (exchange.user) desired_ = confirmed_;
  board_.setConfirmedTypes(confirmed_);
  state_ = confirmed_.empty() ? RegistrationState::NotRegistered : RegistrationState::Registered;
  if (kind == Kind::AddClient) registeredFrom_ = reply.localAddress;
  if (kind == Kind::RemoveClient) registeredFrom_.reset();
  lastConfirmedAt_ = Clock::now();
  backoff_.reset();
  maintenanceDue_ = false;
  reportHealthy();
  if (exchange.user || !wasHealthy) {
    crnp::slog::info(
        kLogComponent, "registration confirmed",
        {{"kind", toString(kind)}, {"server", reply.server}, {"types", confirmed_.size()}});
  } else {
    crnp::slog::debug(kLogComponent, "re-registered",
                      {{"server", reply.server}, {"types", confirmed_.size()}});
  }
  if (exchange.user) exchange.user->done(std::move(result));
  scheduleKeepAlive();
  // converge() asked for another set while this exchange ran: go on at once.
  if (desired_ != confirmed_) maintenanceDue_ = true;
  finishExchange();
}

void CrnpUpstream::Impl::fail(Exchange exchange, FailureEffect effect, UpstreamResult result) {
  if (effect == FailureEffect::NextServer) {
    // Every server was tried; the next attempt starts with the next one in the list.
    switchServer();
  } else if (effect == FailureEffect::StateUnknown) {
    state_ = RegistrationState::Unknown;
  }
  const std::string what = describe(result);
  board_.markUnhealthy(what);
  if (exchange.user) exchange.user->done(std::move(result));
  if (const auto retryIn = scheduleRetry()) {
    crnp::slog::warn(kLogComponent, "registration failed; trying again",
                     {{"kind", toString(exchange.plan.kind)},
                      {"error", what},
                      {"desired_types", desired_.size()},
                      {"retry_in_ms", retryIn->count()}});
  } else {
    crnp::slog::warn(kLogComponent, "registration failed",
                     {{"kind", toString(exchange.plan.kind)}, {"error", what}});
  }
  finishExchange();
}

void CrnpUpstream::Impl::finishExchange() {
  busy_ = false;
  pump();
}

void CrnpUpstream::Impl::switchServer() {
  if (config_.servers.size() < 2) return;
  serverIndex_ = (serverIndex_ + 1) % config_.servers.size();
  // Whatever the previous server held, this one has not confirmed anything.
  state_ = RegistrationState::NotRegistered;
  registeredFrom_.reset();
  board_.setServer(serverName());
}

bool CrnpUpstream::Impl::maintenanceNeeded() const {
  return needsMaintenance(state_, confirmed_, desired_);
}

std::optional<CrnpUpstream::Impl::Clock::time_point> CrnpUpstream::Impl::nextKeepAlive() const {
  return keepAliveDue({state_, lastConfirmedAt_, lastEventAt_, config_.reregisterInterval,
                       config_.silenceThreshold});
}

void CrnpUpstream::Impl::scheduleKeepAlive() {
  if (const auto due = nextKeepAlive()) return armTimer(*due, TimerPurpose::KeepAlive);
  cancelTimer();
}

std::optional<std::chrono::milliseconds> CrnpUpstream::Impl::scheduleRetry() {
  if (!maintenanceNeeded()) {
    cancelTimer();
    return std::nullopt;
  }
  const auto delay = backoff_.next();
  armTimer(Clock::now() + delay, TimerPurpose::Retry);
  return delay;
}

void CrnpUpstream::Impl::armTimer(Clock::time_point when, TimerPurpose purpose) {
  timerPurpose_ = purpose;
  maintenanceDue_ = false;  // the timer decides when maintenance runs next
  // A completion already queued cannot be recalled by cancel(): the generation tells it apart.
  const auto generation = ++timerGeneration_;
  timer_.expires_at(when);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    if (ec || generation != self->timerGeneration_ || self->stopped_) return;
    self->onTimer();
  });
}

void CrnpUpstream::Impl::cancelTimer() {
  maintenanceDue_ = false;
  ++timerGeneration_;
  timer_.cancel();
}

void CrnpUpstream::Impl::reportHealthy() {
  // An exchange succeeded, or there is nothing to register. A registration held must be
  // confirmed again on the keep-alive schedule, or health reports it lapsed (the server may
  // have forgotten us); without a schedule (interval zero) or a registration, nothing lapses.
  const bool registered = state_ == RegistrationState::Registered;
  const auto lapsesAt =
      board_.markHealthy(registered, registered ? registrationAllowance(config_) : std::nullopt);
  if (!lapsesAt) {
    lapseTimer_.cancel();
    return;
  }
  lapseTimer_.expires_at(*lapsesAt);
  lapseTimer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->board_.refresh();
  });
}

void CrnpUpstream::Impl::onTimer() {
  if (timerPurpose_ == TimerPurpose::KeepAlive) {
    // Events since the timer was set may have pushed the silence deadline back.
    const auto due = nextKeepAlive();
    if (!due) return;
    if (Clock::now() < *due) return armTimer(*due, TimerPurpose::KeepAlive);
  }
  maintenanceDue_ = true;
  pump();
}

}  // namespace gateway
