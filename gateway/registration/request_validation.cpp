#include "request_validation.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "crnp/matching.hpp"
#include "crnp/text.hpp"
#include "proto_conversion.hpp"
#include "status_mapping.hpp"

namespace gateway {
namespace {

bool isIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

grpc::Status invalidType(int index, const std::string& problem) {
  return makeErrorStatus(grpc::StatusCode::INVALID_ARGUMENT,
                         "event_types[" + std::to_string(index) + "]: " + problem,
                         "INVALID_EVENT_TYPE", {{"index", std::to_string(index)}});
}

// Length, count and character limits: what crnp::validateEventType does not check because
// they are this gateway's, not the protocol's.
std::optional<std::string> checkLimits(const crnp::EventType& type,
                                       const RegistrationLimits& limits) {
  const auto field = [&](const std::string& text, const char* what) -> std::optional<std::string> {
    if (text.size() > limits.maxFieldBytes) {
      return std::string(what) + " is longer than " + std::to_string(limits.maxFieldBytes) +
             " bytes";
    }
    if (!crnp::isXmlText(text)) return std::string(what) + " is not UTF-8 text allowed in XML";
    return std::nullopt;
  };
  if (auto error = field(type.eventClass, "event_class")) return error;
  if (auto error = field(type.subclass, "subclass")) return error;
  if (type.nvpairs.size() > limits.maxPairsPerType) {
    return "more than " + std::to_string(limits.maxPairsPerType) + " nvpairs";
  }
  for (const auto& pair : type.nvpairs) {
    if (auto error = field(pair.name, "an nvpair name")) return error;
    if (pair.values.size() > limits.maxValuesPerPair) {
      return "nvpair " + crnp::echoBounded(pair.name) + " has more than " +
             std::to_string(limits.maxValuesPerPair) + " values";
    }
    for (const auto& value : pair.values) {
      if (auto error = field(value, "an nvpair value")) return error;
    }
  }
  return std::nullopt;
}

}  // namespace

grpc::Status changeRefusedShuttingDown() {
  return makeErrorStatus(grpc::StatusCode::UNAVAILABLE, "the gateway is shutting down",
                         "SHUTTING_DOWN");
}

grpc::Status registrationNotFound(std::string_view id, std::string_view what) {
  const std::string quoted = crnp::echoBounded(id);
  return makeErrorStatus(grpc::StatusCode::NOT_FOUND,
                         "registration \"" + quoted + "\" " + std::string(what),
                         "REGISTRATION_NOT_FOUND", {{"registration_id", quoted}});
}

grpc::Status validateRegistrationId(std::string_view id, const RegistrationLimits& limits) {
  if (id.empty() || id.size() > limits.maxIdLength ||
      !std::all_of(id.begin(), id.end(), isIdChar)) {
    return makeErrorStatus(grpc::StatusCode::INVALID_ARGUMENT,
                           "registration_id must be 1 to " + std::to_string(limits.maxIdLength) +
                               " characters of A-Z a-z 0-9 . _ -",
                           "INVALID_REGISTRATION_ID",
                           {{"max_length", std::to_string(limits.maxIdLength)}});
  }
  return grpc::Status::OK;
}

ValidatedTypes validateEventTypes(
    const google::protobuf::RepeatedPtrField<crnp::gateway::v1::EventType>& types,
    const RegistrationLimits& limits, TypesRequired required) {
  ValidatedTypes out;
  if (types.empty() && required == TypesRequired::AtLeastOne) {
    out.status = makeErrorStatus(grpc::StatusCode::INVALID_ARGUMENT,
                                 "at least one event type is required", "NO_EVENT_TYPES");
    return out;
  }
  for (int i = 0; i < types.size(); ++i) {
    crnp::EventType type = fromProto(types.Get(i));
    // Limits first: validateEventType quotes the type, which must be printable text.
    if (auto problem = checkLimits(type, limits)) {
      out.status = invalidType(i, *problem);
      return out;
    }
    if (auto problem = crnp::validateEventType(type)) {
      // The problem quotes the whole type: up to 16 pairs of 64 values of 256 bytes each.
      out.status = invalidType(i, crnp::echoBounded(*problem));
      return out;
    }
    if (std::find(out.types.begin(), out.types.end(), type) != out.types.end()) continue;
    // Checked as the list grows, so a huge request costs at most max comparisons per entry.
    if (out.types.size() == limits.maxTypesPerRegistration) {
      out.status = makeErrorStatus(
          grpc::StatusCode::INVALID_ARGUMENT,
          "more than " + std::to_string(limits.maxTypesPerRegistration) + " distinct event types",
          "TOO_MANY_EVENT_TYPES", {{"max", std::to_string(limits.maxTypesPerRegistration)}});
      out.types.clear();
      return out;
    }
    out.types.push_back(std::move(type));
  }
  return out;
}

}  // namespace gateway
