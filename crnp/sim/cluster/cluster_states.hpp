#pragma once
// State words of the simulated cluster, spelled as the cluster's scha_cmds report them, and
// the names of the events and pairs it emits (protocol reference section 5).
#include <string_view>

#include "crnp/cluster_events.hpp"

namespace crnp::sim::cluster {

inline constexpr std::string_view kClass = kClusterClass;
inline constexpr std::string_view kPublisher = "rgm";
inline constexpr std::string_view kMembership = kMembershipSubclass;
inline constexpr std::string_view kGroupState = kRgStateSubclass;
inline constexpr std::string_view kResourceState = kRStateSubclass;
/// Our one ev_ pair: the event's number in the generated stream. Clients must ignore it.
inline constexpr std::string_view kSequencePair = "ev_sequence";

namespace rg {
inline constexpr std::string_view kOnline = "ONLINE";
inline constexpr std::string_view kOffline = "OFFLINE";
inline constexpr std::string_view kPendingOnline = "PENDING_ONLINE";
inline constexpr std::string_view kPendingOffline = "PENDING_OFFLINE";
inline constexpr std::string_view kOnlineFaulted = "ONLINE_FAULTED";
}  // namespace rg

namespace r {
inline constexpr std::string_view kOnline = "ONLINE";
inline constexpr std::string_view kOffline = "OFFLINE";
inline constexpr std::string_view kStarting = "STARTING";
inline constexpr std::string_view kStopping = "STOPPING";
inline constexpr std::string_view kStartFailed = "START_FAILED";
inline constexpr std::string_view kMonitorFailed = "MONITOR_FAILED";
}  // namespace r

}  // namespace crnp::sim::cluster
