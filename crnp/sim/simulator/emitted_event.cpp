// Checks on events emitted through the control API: they are written as XML to every
// matching client, so each must be a valid SC_EVENT that a client's parse limits accept.
#include <string>
#include <string_view>

#include "crnp/sim/simulator.hpp"

namespace crnp::sim {
namespace {

// Well under the 1 MiB / 20000 elements a client accepts (crnp::ParseLimits).
constexpr std::size_t kMaxPairs = 1000;
constexpr std::size_t kMaxValues = 10000;
constexpr std::size_t kMaxTextBytes = 256 * 1024;

// XML 1.0 allows no control characters but tab, newline and carriage return.
bool xmlSafe(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    if (c == 0x7f) return false;
  }
  return true;
}

std::optional<std::string> checkAttribute(std::string_view what, std::string_view value) {
  if (value.empty()) return std::string(what) + " must not be empty";
  if (!xmlSafe(value)) return std::string(what) + " holds a control character";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validateEmittedEvent(const Event& event) {
  if (auto error = checkAttribute("the event class", event.eventClass)) return error;
  if (auto error = checkAttribute("the subclass", event.subclass)) return error;
  if (auto error = checkAttribute("the vendor", event.vendor)) return error;
  if (auto error = checkAttribute("the publisher", event.publisher)) return error;
  if (event.nvpairs.size() > kMaxPairs) {
    return "at most " + std::to_string(kMaxPairs) + " name/value pairs";
  }
  std::size_t values = 0;
  std::size_t bytes = 0;
  for (const auto& pair : event.nvpairs) {
    if (pair.name.empty()) return std::string("every pair needs a name");
    if (!xmlSafe(pair.name)) return "pair name '" + pair.name + "' holds a control character";
    if (pair.values.empty()) return "pair '" + pair.name + "' needs at least one value";
    for (const auto& value : pair.values) {
      if (!xmlSafe(value)) return "a value of pair '" + pair.name + "' holds a control character";
      bytes += value.size();
    }
    bytes += pair.name.size();
    values += pair.values.size();
  }
  if (values > kMaxValues) return "at most " + std::to_string(kMaxValues) + " values in all";
  if (bytes > kMaxTextBytes) {
    return "names and values may hold at most " + std::to_string(kMaxTextBytes) + " bytes";
  }
  return std::nullopt;
}

}  // namespace crnp::sim
