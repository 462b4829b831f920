#include "crnp/messages.hpp"

#include <array>
#include <utility>

namespace crnp {
namespace {

// One table for the spellings of STATUS_CODE: writers emit the first column; readers accept
// it and the published DTD's aliases.
struct StatusSpelling {
  StatusCode code;
  std::string_view text;
};
constexpr std::array<StatusSpelling, 9> kStatusSpellings{{
    {StatusCode::Ok, "OK"},
    {StatusCode::Retry, "RETRY"},
    {StatusCode::LowResource, "LOW_RESOURCE"},
    {StatusCode::SystemError, "SYSTEM_ERROR"},
    {StatusCode::Fail, "FAIL"},
    {StatusCode::Malformed, "MALFORMED"},
    {StatusCode::Invalid, "INVALID"},
    {StatusCode::VersionTooHigh, "VERSION_TOO_HIGH"},
    {StatusCode::VersionTooLow, "VERSION_TOO_LOW"},
}};
constexpr std::array<StatusSpelling, 2> kStatusAliases{{
    {StatusCode::LowResource, "LOW_RESOURCES"},
    {StatusCode::Invalid, "INVALID_XML"},
}};

constexpr std::array<std::pair<RegType, std::string_view>, 4> kRegTypeSpellings{{
    {RegType::AddClient, "ADD_CLIENT"},
    {RegType::AddEvents, "ADD_EVENTS"},
    {RegType::RemoveEvents, "REMOVE_EVENTS"},
    {RegType::RemoveClient, "REMOVE_CLIENT"},
}};

}  // namespace

const NvPair* Event::find(std::string_view name) const {
  for (const auto& pair : nvpairs) {
    if (pair.name == name) return &pair;
  }
  return nullptr;
}

std::string_view toString(StatusCode code) {
  for (const auto& s : kStatusSpellings) {
    if (s.code == code) return s.text;
  }
  return "UNKNOWN";
}

std::optional<StatusCode> statusCodeFromString(std::string_view text) {
  for (const auto& s : kStatusSpellings) {
    if (s.text == text) return s.code;
  }
  for (const auto& s : kStatusAliases) {
    if (s.text == text) return s.code;
  }
  return std::nullopt;
}

std::string_view toString(RegType type) {
  for (const auto& [value, text] : kRegTypeSpellings) {
    if (value == type) return text;
  }
  return "UNKNOWN";
}

std::optional<RegType> regTypeFromString(std::string_view text) {
  for (const auto& [value, spelling] : kRegTypeSpellings) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

std::string describe(const EventType& type) {
  std::string out = type.eventClass;
  if (!type.subclass.empty()) out += "/" + type.subclass;
  for (const auto& pair : type.nvpairs) {
    out += " " + pair.name + "=";
    for (std::size_t i = 0; i < pair.values.size(); ++i) {
      if (i) out += ",";
      out += pair.values[i];
    }
  }
  return out;
}

}  // namespace crnp
