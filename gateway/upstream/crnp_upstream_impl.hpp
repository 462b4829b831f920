#pragma once
// Private to crnp_upstream*.cpp: the state machine behind CrnpUpstream. Everything below the
// "strand only" line is touched on strand_ only; the board is the thread-safe published view.
// crnp_upstream.cpp: life cycle, applyTypes queue, events. upstream_exchange.cpp: one
// registration exchange, its outcome, and the maintenance timer.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "backoff.hpp"
#include "crnp/callback_listener.hpp"
#include "crnp/registration_client.hpp"
#include "crnp_upstream.hpp"
#include "exchange_decisions.hpp"
#include "upstream_health_board.hpp"

namespace gateway {

class CrnpUpstream::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(UpstreamResult)>;

  Impl(boost::asio::any_io_executor executor, UpstreamConfig config, EventSink onEvent);

  std::error_code start();
  void requestStop();
  void applyTypes(EventTypes types, Done done);
  void converge(EventTypes types);
  UpstreamHealthBoard& board() { return board_; }
  std::shared_ptr<crnp::CallbackListener> listener() const;

 private:
  struct PendingApply {
    EventTypes types;
    Done done;
  };
  /// One registration exchange, from the choice of message to its outcome (a user's apply may
  /// take several messages: failover, fallback to ADD_CLIENT).
  struct Exchange {
    std::optional<PendingApply> user;  ///< unset: maintenance
    EventTypes desired;                ///< normalized; the confirmed set if it succeeds
    RegistrationPlan plan;
    /// Types the server may already have delivered for; an event matching the plan's types
    /// but none of these proves the message took effect. Unset: events prove nothing.
    std::optional<EventTypes> proofBaseline;
    bool proven = false;
    bool fellBack = false;        ///< already re-sent as ADD_CLIENT after INVALID
    std::size_t serversLeft = 0;  ///< failover attempts left
  };
  enum class TimerPurpose { KeepAlive, Retry };

  // crnp_upstream.cpp
  void onStarted();
  void doStop();
  void submit(PendingApply apply);
  void setDesired(EventTypes types);
  void onCallbackEvent(crnp::Event event);
  void pump();
  std::string serverName() const;
  UpstreamResult localResult(crnp::RegistrationOutcome outcome, std::string message) const;

  // upstream_exchange.cpp
  void beginUser(PendingApply apply);
  void beginMaintenance();
  void proceed(Exchange exchange);
  void send(Exchange exchange);
  void onReply(crnp::RegistrationResult reply);
  void succeed(Exchange exchange, const crnp::RegistrationResult& reply, UpstreamResult result);
  void fail(Exchange exchange, FailureEffect effect, UpstreamResult result);
  void finishExchange();
  void switchServer();
  bool maintenanceNeeded() const;
  std::optional<Clock::time_point> nextKeepAlive() const;
  void scheduleKeepAlive();
  /// Arms the back-off timer when maintenance is needed; the delay, or nullopt.
  std::optional<std::chrono::milliseconds> scheduleRetry();
  void armTimer(Clock::time_point when, TimerPurpose purpose);
  void cancelTimer();
  void onTimer();
  void reportHealthy();

  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  const UpstreamConfig config_;
  const EventSink onEvent_;
  UpstreamHealthBoard board_;

  mutable std::mutex listenerMutex_;  // guards listener_ (set by start(), read anywhere)
  std::shared_ptr<crnp::CallbackListener> listener_;
  bool startCalled_ = false;                // guarded by listenerMutex_
  std::atomic<bool> stopRequested_{false};  // no event reaches onEvent_ once set
  std::uint16_t callbackPort_ = 0;  // written before onStarted is posted, read on the strand

  // ---- strand only ----
  bool started_ = false;
  bool stopped_ = false;
  bool busy_ = false;            // an exchange is in flight (or being decided)
  bool maintenanceDue_ = false;  // a maintenance exchange waits for its turn
  // The one change waiting for its turn (the registration service sends one at a time).
  std::optional<PendingApply> pending_;
  std::optional<Exchange> inFlight_;
  // What the server should hold (the last applied set, or what converge() asked for) and what
  // it confirmed; maintenance converges the second on the first. Both normalized.
  EventTypes desired_;
  EventTypes confirmed_;
  RegistrationState state_ = RegistrationState::NotRegistered;
  std::size_t serverIndex_ = 0;
  std::optional<boost::asio::ip::address> registeredFrom_;  // source IP of the last ADD_CLIENT
  Clock::time_point lastConfirmedAt_{};
  Clock::time_point lastEventAt_{};
  Backoff backoff_;
  boost::asio::steady_timer timer_;
  TimerPurpose timerPurpose_ = TimerPurpose::KeepAlive;
  std::uint64_t timerGeneration_ = 0;
  // Expires when the confirmed registration lapses for health (armed on the strand at each
  // confirmation); it completes on the plain executor, so a lapse is reported even while the
  // strand is stuck.
  boost::asio::steady_timer lapseTimer_;
};

}  // namespace gateway
