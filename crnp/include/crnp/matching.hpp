#pragma once
// Event-type rules shared by servers and clients (protocol sections 4 and 5).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crnp/messages.hpp"

namespace crnp {

/// The matching rule: the class is equal, the subclass is equal or absent from the
/// registration, and every registered NVPAIR is present in the event with equal values.
bool matches(const EventType& registered, const Event& event);

/// True when `event` matches one of `registered` (false for none).
bool matchesAny(const std::vector<EventType>& registered, const Event& event);

/// The event type an event is "of" for snapshots and recovery: class, subclass and, for
/// rg_state / r_state events, the rg_name / r_name pair. Two events of the same key replace
/// each other as "the most recent event of that type".
EventType eventKey(const Event& event);

/// True when `name` is a server-private pair ("ev_" prefix): not for clients (section 5).
bool isServerPrivatePair(std::string_view name);

/// True when two events tell a client the same thing: equal class, subclass, vendor, publisher
/// and pairs, ignoring server-private ("ev_") pairs and the order of the pairs (a pair is known
/// by its name; the order of its VALUEs counts). VERSION is the protocol's, not the event's.
/// An event equal to the latest of its key (eventKey) is a repeat of the current state, such
/// as the server's answer to every ADD_CLIENT (section 3).
bool equalForClients(const Event& a, const Event& b);

/// Checks a subscription a client asks for: non-empty class; for EC_Cluster the four forms of
/// section 5 (no subclass and no pairs; membership with no pairs; rg_state with exactly one
/// non-empty rg_name; r_state with exactly one non-empty r_name), each pair with a non-empty
/// name and at least one value. Other classes and subclasses are accepted with well-formed
/// pairs. Returns a message for a human, or nullopt when the type is acceptable.
std::optional<std::string> validateEventType(const EventType& type);

}  // namespace crnp
