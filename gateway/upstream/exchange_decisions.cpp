#include "exchange_decisions.hpp"

#include <algorithm>

namespace gateway {

using crnp::RegistrationOutcome;
using Kind = RegistrationPlan::Kind;

bool unreachable(const crnp::RegistrationResult& result) {
  switch (result.outcome) {
    case RegistrationOutcome::ConnectionRefused:
    case RegistrationOutcome::ConnectTimeout:
    case RegistrationOutcome::ResolveFailed:
      return true;
    case RegistrationOutcome::NetworkError:
      return !result.localAddress;  // e.g. host or network unreachable
    default:
      return false;
  }
}

bool uncertain(const crnp::RegistrationResult& result) {
  switch (result.outcome) {
    case RegistrationOutcome::ReplyTimeout:
    case RegistrationOutcome::ConnectionReset:
    case RegistrationOutcome::MalformedReply:
      return true;
    case RegistrationOutcome::NetworkError:
      return result.localAddress.has_value();  // connected: the request may have gone out
    default:
      return false;
  }
}

namespace {

bool repliedWith(const crnp::RegistrationResult& result, crnp::StatusCode code) {
  return result.outcome == RegistrationOutcome::Replied && result.reply &&
         result.reply->code == code;
}

}  // namespace

ReplyDecision decideReply(const ExchangeProgress& progress, const crnp::RegistrationResult& reply) {
  if (repliedWith(reply, crnp::StatusCode::Ok)) return {ReplyAction::Succeed};
  if (progress.proven && uncertain(reply)) return {ReplyAction::SucceedProven};
  // From a well-formed REMOVE_CLIENT, INVALID means the server does not know us: the
  // registration is gone, which is what was asked.
  if (progress.kind == Kind::RemoveClient && repliedWith(reply, crnp::StatusCode::Invalid)) {
    return {ReplyAction::SucceedUnregistered};
  }
  // The server forgot us (silent removal, restart without state): register in full, once.
  if ((progress.kind == Kind::AddEvents || progress.kind == Kind::RemoveEvents) &&
      repliedWith(reply, crnp::StatusCode::Invalid) && !progress.fellBack) {
    return {ReplyAction::FallBackToAddClient};
  }
  if (unreachable(reply)) {
    if (progress.serversLeft > 0) return {ReplyAction::FailOver};
    return {ReplyAction::Fail, FailureEffect::NextServer};
  }
  if (uncertain(reply)) return {ReplyAction::Fail, FailureEffect::StateUnknown};
  return {ReplyAction::Fail, FailureEffect::None};
}

std::optional<std::chrono::steady_clock::time_point> keepAliveDue(const KeepAliveInputs& in) {
  if (in.state != RegistrationState::Registered) return std::nullopt;
  std::optional<std::chrono::steady_clock::time_point> due;
  if (in.reregisterInterval.count() > 0) due = in.lastConfirmedAt + in.reregisterInterval;
  if (in.silenceThreshold.count() > 0) {
    const auto silentUntil = std::max(in.lastEventAt, in.lastConfirmedAt) + in.silenceThreshold;
    due = due ? std::min(*due, silentUntil) : silentUntil;
  }
  return due;
}

RegistrationPlan maintenancePlan(RegistrationState state, const EventTypes& desired) {
  if (!desired.empty()) return {Kind::AddClient, desired};
  if (state != RegistrationState::NotRegistered) return {Kind::RemoveClient, {}};
  return {Kind::None, {}};
}

bool needsMaintenance(RegistrationState state, const EventTypes& confirmed,
                      const EventTypes& desired) {
  return !desired.empty() || !confirmed.empty() || state != RegistrationState::NotRegistered;
}

}  // namespace gateway
