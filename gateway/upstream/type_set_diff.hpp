#pragma once
// Set arithmetic on CRNP event-type lists and the choice of the one registration message that
// takes the server from the set it has to the set wanted. Pure: no I/O.
//
// Protocol section 4: one message never both adds and removes events, and a second ADD_CLIENT
// replaces the whole registration. So a change that both adds and removes is sent as one full
// ADD_CLIENT with the new list rather than as ADD_EVENTS plus REMOVE_EVENTS: with two messages
// a failure of the second would leave the server with a set that is neither the old nor the
// new one, while one ADD_CLIENT either takes effect or leaves the previous set in place.
#include <vector>

#include "crnp/messages.hpp"

namespace gateway {

using EventTypes = std::vector<crnp::EventType>;

/// The set as a canonical list: sorted by crnp::EventType's one order (operator<=>),
/// identical types removed.
EventTypes normalizeTypes(EventTypes types);

struct TypeSetDiff {
  EventTypes added;    ///< in `to`, not in `from`
  EventTypes removed;  ///< in `from`, not in `to`
  bool empty() const { return added.empty() && removed.empty(); }
};

/// Both lists must be normalized.
TypeSetDiff diffTypes(const EventTypes& from, const EventTypes& to);

/// What the upstream knows about its registration on the server it talks to.
enum class RegistrationState {
  NotRegistered,  ///< never registered there, or removed
  Registered,     ///< the server confirmed the confirmed set
  Unknown         ///< an exchange ended without a reply: it may or may not have taken effect
};

struct RegistrationPlan {
  enum class Kind { None, AddClient, AddEvents, RemoveEvents, RemoveClient };
  Kind kind = Kind::None;
  EventTypes events;  ///< the message's event list (empty for None and RemoveClient)
};

/// The message that makes the server's registration `desired`, given the `confirmed` set and
/// the `state` on that server (both lists normalized):
/// - desired == confirmed: None (an Unknown state is repaired by maintenance, not here);
/// - desired empty: None when not registered, else REMOVE_CLIENT;
/// - not (surely) registered: ADD_CLIENT with the full list;
/// - registered: ADD_EVENTS with the added types or REMOVE_EVENTS with the removed ones, or a
///   full ADD_CLIENT when the change needs both.
RegistrationPlan planChange(RegistrationState state, const EventTypes& confirmed,
                            const EventTypes& desired);

const char* toString(RegistrationPlan::Kind kind);

}  // namespace gateway
