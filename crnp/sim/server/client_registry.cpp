#include "client_registry.hpp"

#include <algorithm>
#include <optional>

#include "crnp/address_filter.hpp"
#include "crnp/endpoint.hpp"
#include "crnp/matching.hpp"

namespace crnp::sim {
namespace {

using boost::asio::ip::tcp;

bool contains(const std::vector<EventType>& types, const EventType& type) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

RegistryDecision refuse(StatusCode code, std::string message) {
  RegistryDecision decision;
  decision.code = code;
  decision.message = std::move(message);
  return decision;
}

/// INVALID message for the first subscription that is not one of the accepted forms.
std::optional<std::string> checkTypes(const std::vector<EventType>& types) {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (auto problem = validateEventType(types[i])) {
      return "SC_EVENT_REG #" + std::to_string(i + 1) + " (" + describe(types[i]) +
             ") is not an accepted subscription: " + *problem;
    }
  }
  return std::nullopt;
}

std::vector<EventType> withoutDuplicates(const std::vector<EventType>& types) {
  std::vector<EventType> unique;
  for (const auto& type : types) {
    if (!contains(unique, type)) unique.push_back(type);
  }
  return unique;
}

}  // namespace

RegistryDecision ClientRegistry::evaluate(const boost::asio::ip::address& source,
                                          const Registration& request) const {
  if (request.port == 0) {
    return refuse(StatusCode::Invalid,
                  "PORT 0 cannot be called back; send the port your callback listener is bound "
                  "to");
  }
  const tcp::endpoint callback(normalize(source), request.port);
  if (request.type == RegType::AddClient) return addClient(callback, request);

  const ClientRegistration* existing = find(callback);
  if (!existing) return notRegistered(callback, request);
  switch (request.type) {
    case RegType::AddEvents:
      return addEvents(*existing, request);
    case RegType::RemoveEvents:
      return removeEvents(*existing, request);
    case RegType::RemoveClient:
    default: {
      // An event list on REMOVE_CLIENT is allowed and ignored.
      RegistryDecision decision;
      decision.change = RegistryDecision::Change::Remove;
      decision.client.callback = callback;
      decision.message = "client " + crnp::toString(callback) + " removed; it gets no more events";
      return decision;
    }
  }
}

RegistryDecision ClientRegistry::addClient(const tcp::endpoint& callback,
                                           const Registration& request) const {
  if (auto problem = checkTypes(request.events)) return refuse(StatusCode::Invalid, *problem);
  const bool known = find(callback) != nullptr;
  if (!known && clients_.size() >= maxClients_) {
    return refuse(StatusCode::LowResource,
                  "the server already has Max_clients=" + std::to_string(maxClients_) +
                      " registered clients; retry later or ask the administrator to raise "
                      "Max_clients");
  }
  RegistryDecision decision;
  decision.change = RegistryDecision::Change::Upsert;
  decision.client.callback = callback;
  decision.client.types = withoutDuplicates(request.events);
  // A second ADD_CLIENT replaces the whole registration; a client re-sends it when it lost
  // track (reply timeout, restart), so it gets the snapshot of every type again.
  decision.snapshotTypes = decision.client.types;
  decision.message = std::string(known ? "registration replaced: " : "registered: ") +
                     crnp::toString(callback) + " receives " +
                     std::to_string(decision.client.types.size()) + " event type(s)";
  return decision;
}

RegistryDecision ClientRegistry::addEvents(const ClientRegistration& existing,
                                           const Registration& request) const {
  if (auto problem = checkTypes(request.events)) return refuse(StatusCode::Invalid, *problem);
  RegistryDecision decision;
  decision.client = existing;
  for (const auto& type : request.events) {
    if (contains(decision.client.types, type)) continue;  // adding twice is a no-op
    decision.client.types.push_back(type);
    decision.snapshotTypes.push_back(type);
  }
  if (decision.snapshotTypes.empty()) {
    decision.message = "no change: every event type was already registered";
    return decision;
  }
  decision.change = RegistryDecision::Change::Upsert;
  decision.message = "added " + std::to_string(decision.snapshotTypes.size()) + " event type(s); " +
                     crnp::toString(existing.callback) + " now receives " +
                     std::to_string(decision.client.types.size());
  return decision;
}

RegistryDecision ClientRegistry::removeEvents(const ClientRegistration& existing,
                                              const Registration& request) const {
  if (auto problem = checkTypes(request.events)) return refuse(StatusCode::Invalid, *problem);
  RegistryDecision decision;
  decision.client = existing;
  auto& types = decision.client.types;
  const auto before = types.size();
  types.erase(std::remove_if(types.begin(), types.end(),
                             [&](const EventType& type) { return contains(request.events, type); }),
              types.end());
  const auto removed = before - types.size();
  if (removed == 0) {
    decision.message = "no change: none of these event types was registered";
    return decision;
  }
  decision.change = RegistryDecision::Change::Upsert;
  decision.message = "removed " + std::to_string(removed) + " event type(s); " +
                     crnp::toString(existing.callback) + " now receives " +
                     std::to_string(types.size());
  return decision;
}

RegistryDecision ClientRegistry::notRegistered(const tcp::endpoint& callback,
                                               const Registration& request) const {
  for (const auto& [key, registration] : clients_) {
    if (key.port() == callback.port()) {
      return refuse(StatusCode::Fail,
                    "PORT " + std::to_string(callback.port()) + " is registered from " +
                        key.address().to_string() + ", not from " + callback.address().to_string() +
                        "; messages for a client must come from the address that sent its "
                        "ADD_CLIENT");
    }
  }
  return refuse(StatusCode::Invalid, "client " + crnp::toString(callback) +
                                         " is not registered; send " + "ADD_CLIENT before " +
                                         std::string(toString(request.type)));
}

void ClientRegistry::commit(const RegistryDecision& decision) {
  switch (decision.change) {
    case RegistryDecision::Change::Upsert:
      clients_[decision.client.callback] = decision.client;
      break;
    case RegistryDecision::Change::Remove:
      clients_.erase(decision.client.callback);
      break;
    case RegistryDecision::Change::None:
      break;
  }
}

std::vector<ClientRegistration> ClientRegistry::entriesAfter(
    const RegistryDecision& decision) const {
  ClientRegistry copy = *this;
  copy.commit(decision);
  return copy.entries();
}

std::vector<ClientRegistration> ClientRegistry::entries() const {
  std::vector<ClientRegistration> all;
  all.reserve(clients_.size());
  for (const auto& [key, registration] : clients_) all.push_back(registration);
  return all;
}

void ClientRegistry::insert(ClientRegistration registration) {
  registration.callback =
      tcp::endpoint(normalize(registration.callback.address()), registration.callback.port());
  clients_[registration.callback] = std::move(registration);
}

bool ClientRegistry::remove(const tcp::endpoint& callback) { return clients_.erase(callback) > 0; }

const ClientRegistration* ClientRegistry::find(const tcp::endpoint& callback) const {
  auto it = clients_.find(callback);
  return it == clients_.end() ? nullptr : &it->second;
}

std::vector<tcp::endpoint> ClientRegistry::matching(const Event& event) const {
  std::vector<tcp::endpoint> found;
  for (const auto& [key, registration] : clients_) {
    if (matchesAny(registration.types, event)) found.push_back(key);
  }
  return found;
}

}  // namespace crnp::sim
