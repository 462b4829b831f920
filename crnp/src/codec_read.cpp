// Reading the three CRNP documents: load (limits, well-formedness), then walk the DOM against
// the DTD. Malformed errors come from loading, everything after it is Invalid or a VERSION
// error; VERSION is checked first so that a future version is not reported as Invalid.
#include <charconv>

#include "crnp/codec.hpp"
#include "element_reader.hpp"
#include "xml_input.hpp"

namespace crnp {
namespace {

using detail::ElementReader;
using detail::quoted;

// Loads `data` and checks the root element's name and VERSION.
std::optional<ParseError> openRoot(detail::XmlInput& input, std::string_view data,
                                   const ParseLimits& limits, std::string_view expected,
                                   std::string& version) {
  if (auto error = input.load(data, limits)) return error;
  std::string_view name = input.root().name();
  if (name != expected) {
    return ParseError{ParseErrorKind::Invalid, "invalid document: root element is <" +
                                                   std::string(name) + ">, expected <" +
                                                   std::string(expected) + ">"};
  }
  ElementReader root(input, input.root(), std::string(expected));
  return detail::readVersion(root, version);
}

std::optional<ParseError> readPort(const ElementReader& root, std::uint16_t& port) {
  std::string text;
  if (auto error = root.requiredAttribute("PORT", text)) return error;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 ||
      value > 65535) {
    return root.invalid("PORT=" + quoted(text) + " is not a port number (ASCII digits, 1..65535)");
  }
  port = static_cast<std::uint16_t>(value);
  return std::nullopt;
}

std::optional<ParseError> readRegType(const ElementReader& root, RegType& type) {
  std::optional<std::string> regType;
  std::optional<std::string> alias;
  if (auto error = root.attribute("regType", regType)) return error;
  if (auto error = root.attribute("REG_TYPE", alias)) return error;
  if (regType && alias) return root.invalid("both regType and REG_TYPE given (use regType)");
  if (!regType && !alias) return root.invalid("required attribute regType is missing");
  const std::string& text = regType ? *regType : *alias;
  auto parsed = regTypeFromString(text);
  if (!parsed) {
    return root.invalid(std::string(regType ? "regType=" : "REG_TYPE=") + quoted(text) +
                        " is not one of ADD_CLIENT, ADD_EVENTS, REMOVE_EVENTS, REMOVE_CLIENT");
  }
  type = *parsed;
  return std::nullopt;
}

std::optional<ParseError> readClass(const ElementReader& element, std::string& eventClass) {
  if (auto error = element.requiredAttribute("CLASS", eventClass)) return error;
  if (eventClass.empty()) return element.invalid("CLASS is empty");
  return std::nullopt;
}

std::optional<ParseError> readEventReg(const ElementReader& element, EventType& type) {
  if (auto error = element.checkAttributes({"CLASS", "SUBCLASS"})) return error;
  if (auto error = readClass(element, type.eventClass)) return error;
  std::optional<std::string> subclass;
  if (auto error = element.attribute("SUBCLASS", subclass)) return error;
  type.subclass = subclass.value_or("");
  return detail::readNvPairs(element, type.nvpairs);
}

}  // namespace

Result<Registration> parseRegistration(std::string_view data, const ParseLimits& limits) {
  detail::XmlInput input;
  Registration registration;
  if (auto error = openRoot(input, data, limits, "SC_CALLBACK_REG", registration.version)) {
    return *error;
  }
  ElementReader root(input, input.root(), "SC_CALLBACK_REG");
  if (auto error = root.checkAttributes({"VERSION", "PORT", "regType", "REG_TYPE"})) return *error;
  if (auto error = readPort(root, registration.port)) return *error;
  if (auto error = readRegType(root, registration.type)) return *error;
  std::vector<ElementReader> children;
  if (auto error = root.children(children)) return *error;
  for (const ElementReader& child : children) {
    if (child.name() != "SC_EVENT_REG") {
      return child.invalid("unknown element (SC_CALLBACK_REG holds SC_EVENT_REG elements only)");
    }
    EventType type;
    if (auto error = readEventReg(child, type)) return *error;
    registration.events.push_back(std::move(type));
  }
  return registration;
}

Result<Reply> parseReply(std::string_view data, const ParseLimits& limits) {
  detail::XmlInput input;
  Reply reply;
  if (auto error = openRoot(input, data, limits, "SC_REPLY", reply.version)) return *error;
  ElementReader root(input, input.root(), "SC_REPLY");
  if (auto error = root.checkAttributes({"VERSION", "STATUS_CODE"})) return *error;
  std::string code;
  if (auto error = root.requiredAttribute("STATUS_CODE", code)) return *error;
  auto parsed = statusCodeFromString(code);
  if (!parsed) return root.invalid("STATUS_CODE=" + quoted(code) + " is not a known status code");
  reply.code = *parsed;
  std::vector<ElementReader> children;
  if (auto error = root.children(children)) return *error;
  for (const ElementReader& child : children) {
    if (child.name() != "SC_STATUS_MSG") {
      return child.invalid("unknown element (SC_REPLY holds one SC_STATUS_MSG only)");
    }
  }
  if (children.size() != 1) {
    return root.invalid("has " + std::to_string(children.size()) +
                        " SC_STATUS_MSG elements, expected exactly one");
  }
  if (auto error = children.front().checkAttributes({})) return *error;
  if (auto error = children.front().text(reply.message)) return *error;
  return reply;
}

Result<Event> parseEvent(std::string_view data, const ParseLimits& limits) {
  detail::XmlInput input;
  Event event;
  if (auto error = openRoot(input, data, limits, "SC_EVENT", event.version)) return *error;
  ElementReader root(input, input.root(), "SC_EVENT");
  if (auto error = root.checkAttributes({"VERSION", "CLASS", "SUBCLASS", "VENDOR", "PUBLISHER"})) {
    return *error;
  }
  if (auto error = readClass(root, event.eventClass)) return *error;
  if (auto error = root.requiredAttribute("SUBCLASS", event.subclass)) return *error;
  if (auto error = root.requiredAttribute("VENDOR", event.vendor)) return *error;
  if (auto error = root.requiredAttribute("PUBLISHER", event.publisher)) return *error;
  if (auto error = detail::readNvPairs(root, event.nvpairs)) return *error;
  return event;
}

}  // namespace crnp
