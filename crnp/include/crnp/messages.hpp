#pragma once
// CRNP message model: the three documents of ../shared/crnp-protocol.md section 4 as plain
// values. No XML here; see codec.hpp for reading and writing them.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crnp {

/// NVPAIR: one NAME and one or more VALUEs (one value = scalar, several = array).
struct NvPair {
  std::string name;
  std::vector<std::string> values;
  bool operator==(const NvPair&) const = default;
  auto operator<=>(const NvPair&) const = default;
};

/// An event type as registered: CLASS, optional SUBCLASS (empty = absent), narrowing NVPAIRs.
struct EventType {
  std::string eventClass;
  std::string subclass;
  std::vector<NvPair> nvpairs;
  bool operator==(const EventType&) const = default;
  /// The one order of event types: class, subclass, then the pairs (name, then values) in
  /// their order. Sets, maps and the canonical union of the gateway and the simulator use it.
  auto operator<=>(const EventType&) const = default;
};

/// regType of SC_CALLBACK_REG.
enum class RegType { AddClient, AddEvents, RemoveEvents, RemoveClient };

/// SC_CALLBACK_REG: client -> server.
struct Registration {
  std::string version = "1.0";
  std::uint16_t port = 0;
  RegType type = RegType::AddClient;
  std::vector<EventType> events;
  bool operator==(const Registration&) const = default;
};

/// STATUS_CODE of SC_REPLY (writers emit these spellings; readers also accept the aliases
/// LOW_RESOURCES and INVALID_XML).
enum class StatusCode {
  Ok,
  Retry,
  LowResource,
  SystemError,
  Fail,
  Malformed,
  Invalid,
  VersionTooHigh,
  VersionTooLow
};

/// SC_REPLY: server -> client on the registration connection.
struct Reply {
  std::string version = "1.0";
  StatusCode code = StatusCode::Ok;
  std::string message;
  bool operator==(const Reply&) const = default;
};

/// SC_EVENT: server -> client, one per callback connection.
struct Event {
  std::string version = "1.0";
  std::string eventClass;
  std::string subclass;
  std::string vendor;
  std::string publisher;
  std::vector<NvPair> nvpairs;
  bool operator==(const Event&) const = default;

  /// The pair called `name`, or nullptr.
  const NvPair* find(std::string_view name) const;
};

/// All nine codes, in the order of the protocol table.
inline constexpr StatusCode kAllStatusCodes[] = {
    StatusCode::Ok,          StatusCode::Retry,          StatusCode::LowResource,
    StatusCode::SystemError, StatusCode::Fail,           StatusCode::Malformed,
    StatusCode::Invalid,     StatusCode::VersionTooHigh, StatusCode::VersionTooLow};

std::string_view toString(StatusCode code);
/// Accepts the table's spellings and the two aliases; nullopt for anything else.
std::optional<StatusCode> statusCodeFromString(std::string_view text);

std::string_view toString(RegType type);
/// Accepts exactly ADD_CLIENT, ADD_EVENTS, REMOVE_EVENTS, REMOVE_CLIENT.
std::optional<RegType> regTypeFromString(std::string_view text);

/// Human-readable one-line summary, for logs ("EC_Cluster/ESC_cluster_rg_state rg_name=a").
std::string describe(const EventType& type);

}  // namespace crnp
