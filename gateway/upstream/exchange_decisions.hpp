#pragma once
// The decisions of CrnpUpstream's registration exchanges, without I/O or clocks (time is a
// parameter): what a reply means for the exchange in progress, and when the registration must
// be sent again. crnp_upstream.hpp states the rules; upstream_exchange.cpp carries out what
// these functions return.
#include <chrono>
#include <cstddef>
#include <optional>

#include "crnp/registration_client.hpp"
#include "type_set_diff.hpp"

namespace gateway {

/// What the exchange in progress has done so far, as far as a reply's meaning depends on it.
struct ExchangeProgress {
  RegistrationPlan::Kind kind = RegistrationPlan::Kind::None;  ///< the message just sent
  /// An event that only the new set matches arrived before the reply (section 7).
  bool proven = false;
  bool fellBack = false;        ///< already re-sent as ADD_CLIENT after INVALID
  std::size_t serversLeft = 0;  ///< failover attempts left
};

/// The next step after a reply (or its absence).
enum class ReplyAction {
  Succeed,              ///< the server answered OK
  SucceedProven,        ///< no reply, but an event proved the change took effect
  SucceedUnregistered,  ///< REMOVE_CLIENT answered INVALID: not registered, which was asked
  FallBackToAddClient,  ///< ADD/REMOVE_EVENTS answered INVALID: the server forgot us
  FailOver,             ///< the server certainly did not get it: same change, next server
  Fail,                 ///< give up; the caller gets the answer, maintenance retries later
};

/// What a failed exchange leaves known about the server's registration.
enum class FailureEffect {
  None,          ///< the server answered: its registration is as before
  NextServer,    ///< every server was unreachable: start with the next one next time
  StateUnknown,  ///< no reply: the request may or may not have taken effect
};

struct ReplyDecision {
  ReplyAction action = ReplyAction::Fail;
  FailureEffect effect = FailureEffect::None;  ///< meaningful for Fail only
};

/// The server certainly did not get the request (refused, no connection in time, no such
/// host, or another error before a connection existed).
bool unreachable(const crnp::RegistrationResult& result);
/// The request may have been processed without us learning the answer (section 7).
bool uncertain(const crnp::RegistrationResult& result);

ReplyDecision decideReply(const ExchangeProgress& progress, const crnp::RegistrationResult& reply);

/// When the confirmed registration must be sent again in full: `reregisterInterval` after the
/// last confirmation, or `silenceThreshold` after the later of the last event and the last
/// confirmation, whichever comes first (zero disables either). Unset when not registered.
struct KeepAliveInputs {
  RegistrationState state = RegistrationState::NotRegistered;
  std::chrono::steady_clock::time_point lastConfirmedAt{};
  std::chrono::steady_clock::time_point lastEventAt{};
  std::chrono::milliseconds reregisterInterval{0};
  std::chrono::milliseconds silenceThreshold{0};
};
std::optional<std::chrono::steady_clock::time_point> keepAliveDue(const KeepAliveInputs& inputs);

/// The background exchange that converges the server on `desired`: a full ADD_CLIENT (it
/// replaces whatever the server holds, so it repairs every doubt at once), REMOVE_CLIENT when
/// nothing is desired but the server may hold something, else nothing.
RegistrationPlan maintenancePlan(RegistrationState state, const EventTypes& desired);

/// Whether background exchanges are needed at all: something is desired (to be kept
/// registered, or registered at last), or the server may hold a registration nobody wants.
bool needsMaintenance(RegistrationState state, const EventTypes& confirmed,
                      const EventTypes& desired);

}  // namespace gateway
