#pragma once
// The registered CRNP clients and the rules of section 4 and 6 of the protocol reference:
// ordering (ADD_CLIENT first), source-IP stickiness, Max_clients, replace on a second
// ADD_CLIENT, idempotent ADD_EVENTS / REMOVE_EVENTS. Pure logic, no I/O, not thread-safe
// (the server serialises access).
//
// Client identity: the callback address, i.e. the source IP of the registration connection
// plus the PORT attribute. A message naming a PORT that is registered only from another IP is
// refused with FAIL (it would otherwise let a third party change someone else's registration);
// an ADD_CLIENT from another IP with the same PORT is a different client.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "crnp/messages.hpp"

namespace crnp::sim {

struct ClientRegistration {
  boost::asio::ip::tcp::endpoint callback;
  std::vector<EventType> types;
  bool operator==(const ClientRegistration&) const = default;
};

/// What a request would do, computed without changing the registry, so the server can persist
/// the new state first and commit only when that worked.
struct RegistryDecision {
  enum class Change { None, Upsert, Remove };
  StatusCode code = StatusCode::Ok;
  std::string message;  ///< SC_STATUS_MSG, for a human
  Change change = Change::None;
  ClientRegistration client;             ///< new registration (Upsert) or the key (Remove)
  std::vector<EventType> snapshotTypes;  ///< types just registered: send their latest events
};

class ClientRegistry {
 public:
  explicit ClientRegistry(std::size_t maxClients) : maxClients_(maxClients) {}

  RegistryDecision evaluate(const boost::asio::ip::address& source,
                            const Registration& request) const;
  void commit(const RegistryDecision& decision);

  /// The registrations as they would be after `decision` (for persisting before commit).
  std::vector<ClientRegistration> entriesAfter(const RegistryDecision& decision) const;
  std::vector<ClientRegistration> entries() const;

  /// Adds a loaded registration as is (state file); replaces one with the same callback.
  void insert(ClientRegistration registration);
  bool remove(const boost::asio::ip::tcp::endpoint& callback);
  const ClientRegistration* find(const boost::asio::ip::tcp::endpoint& callback) const;
  std::size_t size() const { return clients_.size(); }

  /// Callback addresses of the clients with at least one type matching `event`.
  std::vector<boost::asio::ip::tcp::endpoint> matching(const Event& event) const;

 private:
  RegistryDecision addClient(const boost::asio::ip::tcp::endpoint& callback,
                             const Registration& request) const;
  RegistryDecision addEvents(const ClientRegistration& existing, const Registration& request) const;
  RegistryDecision removeEvents(const ClientRegistration& existing,
                                const Registration& request) const;
  /// FAIL or INVALID for a message naming a client that is not registered from `callback`.
  RegistryDecision notRegistered(const boost::asio::ip::tcp::endpoint& callback,
                                 const Registration& request) const;

  std::size_t maxClients_;
  std::map<boost::asio::ip::tcp::endpoint, ClientRegistration> clients_;
};

}  // namespace crnp::sim
