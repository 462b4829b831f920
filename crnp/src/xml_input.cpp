#include "xml_input.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "crnp/framer.hpp"
#include "xml_text.hpp"

namespace crnp::detail {
namespace {

// No parse_escapes (references are expanded by appendRawText, which rejects undeclared
// entities and &#0; instead of keeping or truncating them) and no parse_eol (line ends are
// normalised there too, keeping DOM pointers at their document offsets). parse_doctype only
// so that a DOCTYPE the lexer missed could still be seen and refused. parse_ws_pcdata keeps
// whitespace-only text, which is a value's content when it is inside NAME or VALUE.
constexpr unsigned kParseFlags =
    pugi::parse_cdata | pugi::parse_wconv_attribute | pugi::parse_ws_pcdata | pugi::parse_doctype;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::size_t XmlInput::offsetOf(const char* p) const {
  std::less_equal<const char*> le;
  if (le(buffer_.data(), p) && le(p, buffer_.data() + buffer_.size())) {
    return static_cast<std::size_t>(p - buffer_.data());
  }
  return 0;
}

std::optional<ParseError> XmlInput::load(std::string_view data, const ParseLimits& limits) {
  if (data.size() > limits.maxBytes) {
    return malformedAt(limits.maxBytes, "document is " + std::to_string(data.size()) +
                                            " bytes, larger than the limit of " +
                                            std::to_string(limits.maxBytes));
  }
  if (auto error = checkCharacters(data)) return error;

  XmlFramer framer(limits.maxBytes, limits.maxDepth);
  auto status = framer.feed(data);
  if (status == XmlFramer::Status::Error) {
    return ParseError{ParseErrorKind::Malformed, "malformed XML: " + framer.error()};
  }
  if (framer.elementCount() > limits.maxElements) {
    return ParseError{
        ParseErrorKind::Malformed,
        "malformed XML: more than " + std::to_string(limits.maxElements) + " elements (limit)"};
  }
  std::string_view document = data;
  if (status == XmlFramer::Status::Complete) {
    std::string_view trailing = framer.trailing();
    auto extra = std::find_if_not(trailing.begin(), trailing.end(), isSpace);
    if (extra != trailing.end()) {
      std::size_t at = framer.frame().size() + static_cast<std::size_t>(extra - trailing.begin());
      return malformedAt(at,
                         "content after the end of the root element (a message is "
                         "exactly one XML document)");
    }
    document = framer.frame();
  }

  buffer_.assign(document);
  pugi::xml_parse_result parsed =
      doc_.load_buffer_inplace(buffer_.data(), buffer_.size(), kParseFlags, pugi::encoding_utf8);
  if (status != XmlFramer::Status::Complete) {
    // Say it is cut short (the likely cause on a stream), with the parser's view as a hint.
    std::string reason = framer.elementCount() == 0
                             ? "no root element"
                             : "document ends before its root element is closed";
    if (!parsed && framer.elementCount() > 0) {
      reason += " (parser: " + std::string(parsed.description()) + " at byte " +
                std::to_string(parsed.offset) + ")";
    }
    return malformedAt(data.size(), reason);
  }
  if (!parsed) {
    return malformedAt(static_cast<std::size_t>(parsed.offset), parsed.description());
  }
  for (pugi::xml_node node : doc_.children()) {
    if (node.type() == pugi::node_doctype) {
      return malformedAt(offsetOf(node.value()), "DOCTYPE declaration is not allowed");
    }
  }
  return checkWellFormedness();
}

std::optional<ParseError> XmlInput::checkNode(pugi::xml_node node,
                                              std::vector<std::string_view>& names) const {
  std::string scratch;
  if (node.type() == pugi::node_pcdata) {
    return appendRawText(node.value(), RawText::CharacterData, offsetOf(node.value()), scratch);
  }
  if (node.type() != pugi::node_element) return std::nullopt;
  names.clear();
  for (pugi::xml_attribute attribute : node.attributes()) {
    names.emplace_back(attribute.name());
    if (auto error = appendRawText(attribute.value(), RawText::Attribute,
                                   offsetOf(attribute.value()), scratch)) {
      return error;
    }
  }
  std::sort(names.begin(), names.end());
  auto repeated = std::adjacent_find(names.begin(), names.end());
  if (repeated != names.end()) {
    return malformedAt(offsetOf(node.name()), "attribute " + std::string(*repeated) +
                                                  " repeated in <" + node.name() + ">");
  }
  return std::nullopt;
}

std::optional<ParseError> XmlInput::checkWellFormedness() const {
  // Iterative pre-order walk: depth is bounded already, but recursion is not needed.
  std::vector<std::string_view> names;
  pugi::xml_node node = doc_.first_child();
  while (node) {
    if (auto error = checkNode(node, names)) return error;
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && !node.next_sibling()) node = node.parent();
    if (node) node = node.next_sibling();
  }
  return std::nullopt;
}

}  // namespace crnp::detail
