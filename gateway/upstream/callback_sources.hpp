#pragma once
// The default allowlist of event-connection peers: the addresses the configured CRNP servers
// resolve to (protocol section 6: a client accepts event connections only from the server's
// addresses, checking the IP only).
#include <optional>
#include <string>
#include <vector>

#include "crnp/address_filter.hpp"
#include "crnp/registration_client.hpp"

namespace gateway {

/// Resolves every server's host (blocking; called once at start-up) and returns a filter of
/// those hosts. A host that does not resolve is skipped and named in `*warnings`; when none
/// resolves the result is nullopt and `*warnings` says why.
std::optional<crnp::AddressFilter> resolveCallbackSources(
    const std::vector<crnp::ServerAddress>& servers, std::string* warnings = nullptr);

}  // namespace gateway
