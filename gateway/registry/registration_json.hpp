#pragma once
// The JSON forms of registrations, shared by both stores. Event types, as one array:
//   [{"class": "...", "subclass": "...", "nvpairs": [{"name": "...", "values": ["..."]}]}]
// A whole record (EtcdRegistry's value):
//   {"id": "...", "eventTypes": [...], "createTimeNs": N, "updateTimeNs": N}
// with times in nanoseconds since the Unix epoch.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "registry.hpp"

namespace gateway {

/// Throws nlohmann::json::exception on text that is not UTF-8 (put() reports it).
std::string typesToJson(const std::vector<crnp::EventType>& types);
/// nullopt when the text is not an array of the shape above.
std::optional<std::vector<crnp::EventType>> typesFromJson(const std::string& text);

/// Throws nlohmann::json::exception on text that is not UTF-8, like typesToJson.
std::string recordToJson(const RegistrationRecord& record);
/// nullopt when the text is not a record of the shape above.
std::optional<RegistrationRecord> recordFromJson(const std::string& text);

}  // namespace gateway
