#pragma once
// CrnpUpstream: the Upstream that speaks CRNP (protocol sections 2, 3, 7).
//
// One registration, with the first reachable server of a failover list, for the union of the
// gateway's event types; a callback listener (started before any registration) that hands
// events from allowed peers to `onEvent` in order; and background maintenance on Asio timers:
// full ADD_CLIENT on a schedule and after long silences (the server removes clients silently),
// repair after replies that never came, back-off with jitter after RETRY / LOW_RESOURCE and
// other failures, failover when a server is refused or unreachable.
//
// The upstream owns the registration: `desired` (the last set applied, or what converge()
// asked for) and `confirmed` (what the server last confirmed). Maintenance converges the
// second on the first with one back-off loop. One registration exchange (a user's or
// maintenance's) runs at a time; one applyTypes may wait for its turn (the caller, the
// registration service, queues the rest). What an applyTypes call sends:
// - no change: nothing; done(OK) at once;
// - not registered yet (or after failover): ADD_CLIENT with the full list;
// - empty list: REMOVE_CLIENT;
// - only additions / only removals: ADD_EVENTS / REMOVE_EVENTS; both: one full ADD_CLIENT
//   (it replaces the whole registration, so the change is all or nothing).
// Within one call the upstream only (a) tries the next server when one certainly did not get
// the request (refused, unresolvable, no connection in time or unreachable), (b) re-sends a change
// answered INVALID as a full ADD_CLIENT (the server forgot us: it removed us silently or restarted
// without state). A REMOVE_CLIENT answered INVALID means "not registered", which is what was asked:
// done(OK). Other failures go back to the caller unchanged, and the confirmed set stays the
// previous one. When an exchange ends without a reply (timeout, reset) the server may hold either
// set; maintenance then re-sends the confirmed set as a full ADD_CLIENT (or REMOVE_CLIENT when it
// is empty), so the server converges on the previous set. An event that only the new set
// matches, arriving before the exchange ends, proves the change took effect (section 7).
//
// Health: `healthy` turns false when an exchange fails, and when the registration was not
// confirmed again within registrationAllowance (the re-registration interval plus one
// exchange's timeouts plus a grace); it turns true with the next confirmation.
//
// Threads: every method may be called from any thread. State lives on a strand of `executor`;
// `done`, `onEvent` and the health listener run there, except that a lapse is reported from
// `executor` directly (so that it is reported even when the strand is stuck).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <system_error>

#include "crnp/callback_listener.hpp"
#include "crnp/messages.hpp"
#include "type_set_diff.hpp"
#include "upstream.hpp"
#include "upstream_config.hpp"

namespace gateway {

class CrnpUpstream : public Upstream {
 public:
  using EventSink = std::function<void(crnp::Event)>;

  CrnpUpstream(boost::asio::any_io_executor executor, UpstreamConfig config, EventSink onEvent);
  /// Stops (see stop()).
  ~CrnpUpstream() override;
  CrnpUpstream(const CrnpUpstream&) = delete;
  CrnpUpstream& operator=(const CrnpUpstream&) = delete;

  /// Starts the callback listener, then registers what converge() and applyTypes asked for so
  /// far (restored registrations) and later. Returns why the listener could not start, or why there
  /// is no allowlist of callback sources (no server configured or none resolves). Once only.
  std::error_code start();
  /// Closes the callback listener at once (no event reaches onEvent after stop() returns,
  /// except one already being handled), then on the strand cancels the timers and answers
  /// a waiting applyTypes call with outcome NetworkError. An exchange in flight still ends
  /// within its timeouts and reports to its caller; nothing is sent after it. The
  /// registration is left on the server (a restarted gateway re-registers in full; a dead one
  /// is removed by the server after failed deliveries). Idempotent.
  void stop();

  // Upstream
  void applyTypes(std::vector<crnp::EventType> types,
                  std::function<void(UpstreamResult)> done) override;
  void converge(std::vector<crnp::EventType> types) override;
  UpstreamHealth health() const override;
  void setHealthListener(std::function<void(const UpstreamHealth&)> listener) override;

  /// The bound callback endpoint (its port is the registrations' PORT); valid after start().
  boost::asio::ip::tcp::endpoint callbackEndpoint() const;
  /// The callback listener's counters (rejected peers, parse errors, ...); zero before start().
  crnp::CallbackListenerStats callbackStats() const;
  /// The set the server last confirmed (normalized).
  EventTypes confirmedTypes() const;
  /// Exchange results and latency, events by subclass (for metrics).
  UpstreamStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gateway
