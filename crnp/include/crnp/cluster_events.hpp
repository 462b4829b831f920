#pragma once
// The names of the Solaris Cluster's own events (protocol section 5), once for the codec's
// rules, the gateway's conversions and the simulator.
#include <string_view>

namespace crnp {

inline constexpr std::string_view kClusterClass = "EC_Cluster";
inline constexpr std::string_view kMembershipSubclass = "ESC_cluster_membership";
inline constexpr std::string_view kRgStateSubclass = "ESC_cluster_rg_state";
inline constexpr std::string_view kRStateSubclass = "ESC_cluster_r_state";

}  // namespace crnp
