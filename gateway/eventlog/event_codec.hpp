#pragma once
// The event log's text forms of crnp::Event and crnp::EventType (JSON), one per row:
//   {"version": "...", "class": "...", "subclass": "...", "vendor": "...", "publisher": "...",
//    "nvpairs": [{"name": "...", "values": ["..."]}]}
// and for a key {"class", "subclass", "nvpairs"}. Stable: changing it needs a schema version.
#include <optional>
#include <string>
#include <string_view>

#include "crnp/messages.hpp"

namespace gateway {

/// Invalid UTF-8 (a CRNP server may send any bytes) is kept as U+FFFD, as the gRPC side
/// cannot carry it either.
std::string encodeEvent(const crnp::Event& event);
/// nullopt for anything encodeEvent cannot have produced.
std::optional<crnp::Event> decodeEvent(std::string_view text);
std::string encodeEventKey(const crnp::EventType& key);

}  // namespace gateway
